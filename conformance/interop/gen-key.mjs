// Regenerates keys/interop-key.json: the fixed, PUBLIC test key for the interop harness.
// Seed = bytes 0x01..0x20 (deterministic; never use for anything but tests).
// secretKeyMultibase = z + base58btc(0x8026 || 32-byte seed)  (W3C Multikey form)
// publicKeyMultibase = z + base58btc(0xed01 || 32-byte public key)
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as base58btc from 'base58-universal';

const seed = Uint8Array.from({length: 32}, (_, i) => i + 1);
const key = await Ed25519Multikey.generate({seed});
const exported = await key.export({publicKey: true, secretKey: true, includeContext: true});
const publicKeyMultibase = exported.publicKeyMultibase;
// DB exports the 64-byte (seed || pub) secret; the W3C form is the 32-byte seed.
const secretKeyMultibase = 'z' + base58btc.encode(Uint8Array.from([0x80, 0x26, ...seed]));
const did = `did:key:${publicKeyMultibase}`;
const out = {
  '@context': 'https://w3id.org/security/multikey/v1',
  id: `${did}#${publicKeyMultibase}`,
  type: 'Multikey',
  controller: did,
  publicKeyMultibase,
  secretKeyMultibase
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
