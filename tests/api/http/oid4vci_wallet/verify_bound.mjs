// Verify credentials a wallet received with Digital Bazaar's verifier, status included.
//
//   node verify_bound.mjs CREDENTIAL.json
//
// Uses the interop harness of conformance/interop (its pinned @digitalbazaar/vc, its three suites
// and its closed-world loader: bundled contexts and did:key only) plus a checkStatus of our own for
// BitstringStatusListEntry: the status list credential is fetched from its URL (the live test
// server), verified with the same verifier and issuer, and the entry's bit read (index 0 = the
// most significant bit of the first byte). Prints {"verified", "error"?, "tamper": {"rejected"}}.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'

const HARNESS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../conformance/interop')
const load = (file) => import(pathToFileURL(path.join(HARNESS, file)).href)
const vc = await load('node_modules/@digitalbazaar/vc/lib/index.js')
const { documentLoader } = await load('loader.mjs')
const { verifyingSuites } = await load('suites.mjs')
const { errorText, tamper } = await load('verify.mjs')

const idOf = (issuer) => (typeof issuer === 'string' ? issuer : issuer?.id)

async function checkStatus({ credential }) {
  const entry = credential.credentialStatus
  if (entry?.type !== 'BitstringStatusListEntry') {
    return { verified: false, error: `unsupported status type ${entry?.type}` }
  }
  const list = await (await fetch(entry.statusListCredential)).json()
  const listed = await vc.verifyCredential({ credential: list, suite: verifyingSuites(), documentLoader })
  if (!listed.verified) return { verified: false, error: `status list: ${errorText(listed.error)}` }
  if (idOf(list.issuer) !== idOf(credential.issuer)) return { verified: false, error: 'status list of another issuer' }
  if (list.credentialSubject.statusPurpose !== entry.statusPurpose) return { verified: false, error: 'purpose mismatch' }
  const bits = gunzipSync(Buffer.from(list.credentialSubject.encodedList.slice(1), 'base64url'))
  const index = Number(entry.statusListIndex)
  const set = (bits[index >> 3] >> (7 - (index & 7))) & 1
  return set ? { verified: false, error: `${entry.statusPurpose} bit is set` } : { verified: true }
}

async function verify(credential) {
  const result = await vc.verifyCredential({ credential, suite: verifyingSuites(), documentLoader, checkStatus })
  if (result.verified) return { verified: true }
  const err = result.error ?? result.results?.find((r) => !r.verified)?.error
  const status = result.statusResult?.verified === false ? `status: ${result.statusResult.error}` : undefined
  return { verified: false, error: status ?? errorText(err) ?? 'not verified' }
}

const credential = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const out = await verify(structuredClone(credential))
const [bad] = tamper(credential)
out.tamper = { rejected: !(await verify(bad)).verified }
process.stdout.write(JSON.stringify(out))
process.exit(out.verified && out.tamper.rejected ? 0 : 1)
