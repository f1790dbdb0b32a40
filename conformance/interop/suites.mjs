// Suite factory shared by sign.mjs / verify.mjs: only Digital Bazaar code signs and verifies.
import {readFileSync} from 'node:fs';
import * as base58btc from 'base58-universal';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as jcsSign, createVerifyCryptosuite as jcsVerify
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';

export const SUITES = ['eddsa-rdfc-2022', 'eddsa-jcs-2022', 'Ed25519Signature2020'];

/**
 * Load a Multikey key file. Accepts `secretKeyMultibase` or the legacy name
 * `privateKeyMultibase`, each either 0x8026||seed (W3C) or 0x8026||seed||pub
 * (legacy Digital Bazaar). Verification-method id defaults to the did:key VM.
 */
export async function loadKey(file) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const {publicKeyMultibase} = doc;
  const secretKeyMultibase = doc.secretKeyMultibase ?? doc.privateKeyMultibase;
  if(!publicKeyMultibase || !secretKeyMultibase) {
    throw new Error(`${file}: need publicKeyMultibase and secretKeyMultibase/privateKeyMultibase`);
  }
  const raw = base58btc.decode(secretKeyMultibase.slice(1));
  if(secretKeyMultibase[0] !== 'z' || raw[0] !== 0x80 || raw[1] !== 0x26 ||
    !(raw.length === 34 || raw.length === 66)) {
    throw new Error(`${file}: secret key is not an Ed25519 multikey secret (0x8026)`);
  }
  const did = doc.controller ?? `did:key:${publicKeyMultibase}`;
  const id = doc.id ?? `did:key:${publicKeyMultibase}#${publicKeyMultibase}`;
  const key = await Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey', id, controller: did, publicKeyMultibase, secretKeyMultibase
  });
  // sanity: the secret must match the public key (sign + verify a probe)
  const probe = new TextEncoder().encode('probe');
  const sig = await key.signer().sign({data: probe});
  if(!await key.verifier().verify({data: probe, signature: sig})) {
    throw new Error(`${file}: secret key does not match publicKeyMultibase`);
  }
  return key;
}

export function signingSuite(name, key, created) {
  const signer = key.signer();
  const date = created ?? undefined;
  switch(name) {
    case 'eddsa-rdfc-2022':
      return new DataIntegrityProof({signer, date, cryptosuite: eddsaRdfc2022});
    case 'eddsa-jcs-2022':
      return new DataIntegrityProof({signer, date, cryptosuite: jcsSign()});
    case 'Ed25519Signature2020':
      return new Ed25519Signature2020({signer, date});
    default:
      throw new Error(`unknown suite "${name}" (expected one of ${SUITES.join(', ')})`);
  }
}

/** A key-less suite instance (only for ensureSuiteContext). */
export function contextSuite(name) {
  switch(name) {
    case 'eddsa-rdfc-2022':
      return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
    case 'eddsa-jcs-2022':
      return new DataIntegrityProof({cryptosuite: jcsSign()});
    case 'Ed25519Signature2020':
      return new Ed25519Signature2020();
    default:
      throw new Error(`unknown suite "${name}" (expected one of ${SUITES.join(', ')})`);
  }
}

/** All three verification suites (jsigs picks the one matching each proof). */
export function verifyingSuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    new DataIntegrityProof({cryptosuite: jcsVerify()}),
    new Ed25519Signature2020()
  ];
}

/** Name of the suite a proof uses. */
export function suiteOf(proof) {
  return proof?.type === 'DataIntegrityProof' ? proof.cryptosuite : proof?.type;
}
