#!/usr/bin/env node
// Verify signed credentials with Digital Bazaar's libraries.
//
//   node verify.mjs SIGNED.json [SIGNED2.json ...] [--no-tamper]
//
// For each file prints one JSON line:
//   {"file", "suite", "verified", "error"?, "tamper": {"path", "rejected", "error"}}
// Verification: @digitalbazaar/vc verifyCredential() with all three suites
// (eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020), proofPurpose
// assertionMethod (CredentialIssuancePurpose: the VM must be listed under
// assertionMethod of its controller's DID document, and the controller must be
// the issuer), did:key resolved locally, contexts from ../../contexts only.
// Unless --no-tamper, a copy with one signed value changed is verified too and
// MUST fail. Exit status 0 only if every file verified and every tampered copy
// was rejected; 1 otherwise; 2 on usage errors.
import {readFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {documentLoader} from './loader.mjs';
import {suiteOf, verifyingSuites} from './suites.mjs';

export function errorText(e) {
  if(!e) return undefined;
  if(Array.isArray(e.errors) && e.errors.length) {
    return e.errors.map(errorText).join('; ');
  }
  return e.message ?? String(e);
}

export async function verifyCredential(credential) {
  const result = await vc.verifyCredential({
    credential: structuredClone(credential),
    suite: verifyingSuites(),
    documentLoader
  });
  if(result.verified) return {verified: true};
  const err = result.error ??
    result.results?.find(r => !r.verified)?.error ??
    result.results?.find(r => r.purposeResult && !r.purposeResult.valid)?.purposeResult?.error;
  return {verified: false, error: errorText(err) ?? 'not verified'};
}

/** Change exactly one signed value; returns [copy, JSON path]. */
export function tamper(credential) {
  const copy = structuredClone(credential);
  const ach = copy.credentialSubject?.achievement;
  if(ach && typeof ach.name === 'string') {
    ach.name += ' (tampered)';
    return [copy, '$.credentialSubject.achievement.name'];
  }
  if(typeof copy.name === 'string') {
    copy.name += ' (tampered)';
    return [copy, '$.name'];
  }
  if(typeof copy.credentialSubject?.id === 'string') {
    copy.credentialSubject.id += '-tampered';
    return [copy, '$.credentialSubject.id'];
  }
  throw new Error('no value to tamper with');
}

export async function verifyFile(file, {checkTamper = true} = {}) {
  const out = {file};
  let credential;
  try {
    credential = JSON.parse(readFileSync(file, 'utf8'));
  } catch(e) {
    return {...out, verified: false, error: `cannot read JSON: ${e.message}`};
  }
  const proofs = [credential.proof].flat().filter(Boolean);
  out.suite = proofs.map(suiteOf).join(',') || null;
  Object.assign(out, await verifyCredential(credential));
  if(checkTamper) {
    const [bad, path] = tamper(credential);
    const r = await verifyCredential(bad);
    out.tamper = {path, rejected: !r.verified, error: r.error};
  }
  out.ok = out.verified && (!checkTamper || out.tamper.rejected);
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  const checkTamper = !args.includes('--no-tamper');
  const files = args.filter(a => !a.startsWith('--'));
  if(!files.length) {
    console.error('usage: node verify.mjs SIGNED.json [...] [--no-tamper]');
    process.exit(2);
  }
  let allOk = true;
  for(const file of files) {
    const r = await verifyFile(file, {checkTamper});
    allOk &&= r.ok;
    process.stdout.write(JSON.stringify(r) + '\n');
  }
  process.exit(allOk ? 0 : 1);
}

if(import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(e => {
    console.error(`verify.mjs: ${e.stack ?? e}`);
    process.exit(2);
  });
}
