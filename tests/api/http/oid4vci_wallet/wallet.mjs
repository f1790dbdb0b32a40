// An OID4VCI 1.0 wallet built on the OpenWallet Foundation's oid4vc-ts client (@openid4vc/openid4vci),
// used by tests/api/http/test_http_oid4vci_wallet.py to take a credential offer from vcengine.
//
// Usage: node wallet.mjs '<json>' with {"offer": "openid-credential-offer://...", "txCode"?: "123456",
//   "keys": ["ed25519-did" | "p256-jwk", ...], "notify"?: true}
// Prints {"offer", "issuerMetadata", "token", "results": [{configurationId, credentials, notificationId}],
//   "holders": [{kind, did?, jwk}], "notified": [...]} as JSON; exits 1 with {"error"} on failure.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { clientAuthenticationAnonymous, setGlobalConfig } from '@openid4vc/oauth2'
import { Openid4vciClient } from '@openid4vc/openid4vci'

setGlobalConfig({ allowInsecureUrls: true }) // the test server listens on http://127.0.0.1

const b64url = (buf) => Buffer.from(buf).toString('base64url')
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58btc(bytes) {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'))
  let out = ''
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n }
  for (const b of bytes) { if (b === 0) out = '1' + out; else break }
  return out
}

function makeKey(kind) {
  if (kind === 'ed25519-did') {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const jwk = publicKey.export({ format: 'jwk' })
    const multibase = 'z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.from(jwk.x, 'base64url')]))
    const did = `did:key:${multibase}`
    return { kind, did, jwk, privateKey, signer: { method: 'did', didUrl: `${did}#${multibase}`, alg: 'EdDSA' } }
  }
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' })
  return { kind, jwk, privateKey, signer: { method: 'jwk', publicJwk: jwk, alg: 'ES256' } }
}

const input = JSON.parse(process.argv[2])
const keys = (input.keys ?? ['ed25519-did']).map(makeKey)
const byAlg = (signer) => keys.find((k) => k.signer === signer || JSON.stringify(k.signer) === JSON.stringify(signer))

const callbacks = {
  fetch,
  hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
  generateRandom: (n) => randomBytes(n),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, { header, payload }) => {
    const key = byAlg(signer)
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
    const signature = signer.alg === 'EdDSA'
      ? sign(null, Buffer.from(input), key.privateKey)
      : sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
    return { jwt: `${input}.${b64url(signature)}`, signerJwk: key.jwk }
  },
}

async function main() {
  const client = new Openid4vciClient({ callbacks })
  const offer = await client.resolveCredentialOffer(input.offer)
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer)
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer,
    issuerMetadata,
    txCode: input.txCode,
  })
  const results = []
  const notified = []
  for (const credentialConfigurationId of offer.credential_configuration_ids) {
    const { c_nonce } = await client.requestNonce({ issuerMetadata })
    const jwts = []
    for (const key of keys) {
      const { jwt } = await client.createCredentialRequestJwtProof({
        issuerMetadata, signer: key.signer, nonce: c_nonce, credentialConfigurationId,
      })
      jwts.push(jwt)
    }
    const { credentialResponse } = await client.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId,
      proofs: { jwt: jwts },
    })
    results.push({
      configurationId: credentialConfigurationId,
      credentials: credentialResponse.credentials.map((c) => c.credential),
      notificationId: credentialResponse.notification_id,
    })
    if (input.notify && credentialResponse.notification_id) {
      await client.sendNotification({
        issuerMetadata,
        accessToken: accessTokenResponse.access_token,
        notification: { notificationId: credentialResponse.notification_id, event: 'credential_accepted' },
      })
      notified.push(credentialResponse.notification_id)
    }
  }
  const token = { token_type: accessTokenResponse.token_type, expires_in: accessTokenResponse.expires_in }
  const holders = keys.map((k) => ({ kind: k.kind, did: k.did ?? null, jwk: k.jwk }))
  return { offer, issuerMetadata: issuerMetadata.credentialIssuer, token, results, holders, notified }
}

main().then(
  (out) => { process.stdout.write(JSON.stringify(out)) },
  (error) => {
    const detail = error?.response ?? error?.errorResponse ?? error?.credentialErrorResponse ?? null
    process.stdout.write(JSON.stringify({ error: String(error?.message ?? error), detail: detail ?? String(error?.stack ?? '') }))
    process.exit(1)
  },
)
