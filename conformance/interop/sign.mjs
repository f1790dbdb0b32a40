#!/usr/bin/env node
// Sign an unsigned credential with Digital Bazaar's libraries.
//
//   node sign.mjs CREDENTIAL.json --key KEY.json --suite SUITE [--created DATETIME] [--prepare-only]
//
// SUITE: eddsa-rdfc-2022 | eddsa-jcs-2022 | Ed25519Signature2020.
// Signs with @digitalbazaar/vc issue() (proofPurpose assertionMethod); the signed
// credential is written to stdout (2-space JSON). --prepare-only writes the unsigned
// credential exactly as DB would sign it, i.e. with the suite context appended when
// the document lacks it (jsonld-signatures `addSuiteContext`, default on):
// data-integrity/v2 for DataIntegrityProof unless credentials/v2 is present,
// ed25519-2020/v1 for Ed25519Signature2020.
import {readFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {documentLoader} from './loader.mjs';
import {contextSuite, loadKey, signingSuite, SUITES} from './suites.mjs';

function parseArgs(argv) {
  const opts = {files: []};
  for(let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if(a === '--key') opts.key = argv[++i];
    else if(a === '--suite') opts.suite = argv[++i];
    else if(a === '--created') opts.created = argv[++i];
    else if(a === '--prepare-only') opts.prepareOnly = true;
    else if(a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.files.push(a);
  }
  // positional form: CREDENTIAL KEY SUITE [CREATED]
  if(!opts.key && opts.files.length >= 3) {
    [opts.files, opts.key, opts.suite, opts.created] =
      [[opts.files[0]], opts.files[1], opts.files[2], opts.files[3]];
  }
  if(opts.files.length !== 1 || !opts.key || !SUITES.includes(opts.suite)) {
    throw new Error('usage: node sign.mjs CREDENTIAL.json --key KEY.json ' +
      `--suite {${SUITES.join('|')}} [--created DATETIME] [--prepare-only]`);
  }
  return opts;
}

export async function sign({credential, keyFile, suite: suiteName, created}) {
  const key = await loadKey(keyFile);
  const suite = signingSuite(suiteName, key, created);
  return vc.issue({credential: structuredClone(credential), suite, documentLoader});
}

export async function prepare({credential, suite: suiteName}) {
  const doc = structuredClone(credential);
  contextSuite(suiteName).ensureSuiteContext({document: doc, addSuiteContext: true});
  return doc;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const credential = JSON.parse(readFileSync(opts.files[0], 'utf8'));
  const out = opts.prepareOnly ?
    await prepare({credential, suite: opts.suite}) :
    await sign({credential, keyFile: opts.key, suite: opts.suite, created: opts.created});
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

if(import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(e => {
    console.error(`sign.mjs: ${e.stack ?? e}`);
    process.exit(2);
  });
}
