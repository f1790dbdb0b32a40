// A VC-API wallet built on Digital Bazaar's libraries (the pinned stack of conformance/interop):
// it answers vcengine's DID Authentication with a presentation signed by a fresh did:key.
//
//   node vcapi_wallet.mjs '{"exchange": "<exchange URL>" | "lcw": "dccrequest://request?...",
//                           "suite": "Ed25519Signature2020" | "eddsa-rdfc-2022", "domain"?: "..."}'
//
// exchange: POST {} -> verifiablePresentationRequest (DIDAuthentication, challenge, domain,
// interact service); sign a presentation with that challenge and domain (proofPurpose
// authentication); POST {"verifiablePresentation"} to the interact service's endpoint.
// lcw: read issuer, auth_type, challenge and vc_request_url from the request deep link, as the
// Learner Credential Wallet does, and POST the signed presentation itself to vc_request_url.
// sign: {"challenge", "domain"} -> just the signed presentation (an OID4VCI di_vp proof).
// Prints {"holder", "request"?, "status", "response"} (or {"holder", "presentation"}).
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const HARNESS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../conformance/interop')
const load = (file) => import(pathToFileURL(path.join(HARNESS, file)).href)
const vc = await load('node_modules/@digitalbazaar/vc/lib/index.js')
const Ed25519Multikey = await load('node_modules/@digitalbazaar/ed25519-multikey/lib/index.js')
const { documentLoader } = await load('loader.mjs')
const { signingSuite } = await load('suites.mjs')

const input = JSON.parse(process.argv[2])
const generated = await Ed25519Multikey.generate()
const did = `did:key:${generated.publicKeyMultibase}`
const exported = await generated.export({ publicKey: true, secretKey: true, includeContext: true })
const key = await Ed25519Multikey.from({ ...exported, id: `${did}#${generated.publicKeyMultibase}`, controller: did })

async function didAuth({ challenge, domain }) {
  const presentation = vc.createPresentation({ holder: did })
  const suite = signingSuite(input.suite ?? 'eddsa-rdfc-2022', key)
  return vc.signPresentation({ presentation, suite, challenge, domain, documentLoader })
}

async function post(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  return { status: response.status, body: await response.json() }
}

let out
if (input.sign) {
  // an OID4VCI di_vp key proof (Appendix F.2): challenge = the c_nonce, domain = the issuer
  out = { holder: did, presentation: await didAuth(input.sign) }
} else if (input.exchange) {
  const first = await post(input.exchange, {})
  const request = first.body.verifiablePresentationRequest
  if (request?.query?.[0]?.type !== 'DIDAuthentication') throw new Error(`no DIDAuthentication request: ${JSON.stringify(first)}`)
  const vp = await didAuth({ challenge: request.challenge, domain: input.domain ?? request.domain })
  const answer = await post(request.interact.service[0].serviceEndpoint, { verifiablePresentation: vp })
  out = { holder: did, request, status: answer.status, response: answer.body, presentation: vp }
} else {
  const params = new URL(input.lcw.replace(/^dccrequest:\/\/request/, 'https://lcw.invalid/request')).searchParams
  if (params.get('auth_type') !== 'bearer' || !params.get('issuer')) throw new Error('not an LCW request link')
  const vp = await didAuth({ challenge: params.get('challenge'), domain: input.domain })
  const answer = await post(params.get('vc_request_url'), vp)
  out = { holder: did, status: answer.status, response: answer.body, presentation: vp }
}
process.stdout.write(JSON.stringify(out))
