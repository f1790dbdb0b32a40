// The authorization code flow of an OID4VCI 1.0 wallet (oid4vc-ts, @openid4vc/openid4vci), in two
// steps around the learner's browser, for tests/api/http/test_http_oid4vci_authorization.py:
//
//   node wallet_auth.mjs '{"step": "authorize", "issuer", "configurationId", "clientId", "redirectUri"}'
//     -> {"url": <the Authorization Request URL>, "verifier": <the PKCE code_verifier>}
//   node wallet_auth.mjs '{"step": "token", ..., "code", "verifier"}'
//     -> {"token", "holder", "credentials"}: the access token (PKCE), a nonce, one credential
//        request with a jwt proof of a fresh Ed25519 did:key
//
// A wallet-initiated request: the credential offer is the wallet's own (grant authorization_code).
import { generateKeyPairSync, createHash, randomBytes, sign } from 'node:crypto'
import { clientAuthenticationAnonymous, setGlobalConfig } from '@openid4vc/oauth2'
import { Openid4vciClient, extractScopesForCredentialConfigurationIds } from '@openid4vc/openid4vci'

setGlobalConfig({ allowInsecureUrls: true })
const b64url = (buf) => Buffer.from(buf).toString('base64url')
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58btc(bytes) {
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'))
  let out = ''
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n }
  return out
}

const input = JSON.parse(process.argv[2])
const { publicKey, privateKey } = generateKeyPairSync('ed25519')
const jwk = publicKey.export({ format: 'jwk' })
const multibase = 'z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.from(jwk.x, 'base64url')]))
const did = `did:key:${multibase}`

const client = new Openid4vciClient({
  callbacks: {
    fetch,
    hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
    generateRandom: (n) => randomBytes(n),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, { header, payload }) => {
      const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
      return { jwt: `${signingInput}.${b64url(sign(null, Buffer.from(signingInput), privateKey))}`, signerJwk: jwk }
    },
  },
})

const issuerMetadata = await client.resolveIssuerMetadata(input.issuer)
const credentialOffer = {
  credential_issuer: input.issuer,
  credential_configuration_ids: [input.configurationId],
  grants: { authorization_code: {} },
}
let out
if (input.step === 'authorize') {
  const scopes = extractScopesForCredentialConfigurationIds({
    credentialConfigurationIds: [input.configurationId], issuerMetadata,
  })
  const { authorizationRequestUrl, pkce } = await client.createAuthorizationRequestUrlFromOffer({
    credentialOffer, issuerMetadata, clientId: input.clientId, redirectUri: input.redirectUri,
    scope: scopes?.join(' '),
  })
  out = { url: authorizationRequestUrl, verifier: pkce?.codeVerifier }
} else {
  const { accessTokenResponse } = await client.retrieveAuthorizationCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata, authorizationCode: input.code, pkceCodeVerifier: input.verifier,
    redirectUri: input.redirectUri, additionalRequestPayload: { client_id: input.clientId },
  })
  const { c_nonce } = await client.requestNonce({ issuerMetadata })
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata, signer: { method: 'did', didUrl: `${did}#${multibase}`, alg: 'EdDSA' },
    nonce: c_nonce, credentialConfigurationId: input.configurationId,
  })
  const { credentialResponse } = await client.retrieveCredentials({
    issuerMetadata, accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: input.configurationId, proofs: { jwt: [jwt] },
  })
  out = { token: accessTokenResponse, holder: did, credentials: credentialResponse.credentials.map((c) => c.credential) }
}
process.stdout.write(JSON.stringify(out))
