#!/usr/bin/env node
// Orchestrates the cross-verification (called by run.sh; see README.md).
//
//   node run.mjs [--created DATETIME] [--vcengine PATH | --no-vcengine]
//
// 1. For every inputs/<name>.json and every suite: prepares the unsigned
//    document (suite context appended as DB does) -> vectors/interop/unsigned/,
//    signs it with Digital Bazaar -> vectors/interop/digitalbazaar/<name>.<suite>.json,
//    and self-verifies it with DB (plus a tampered copy that must fail).
// 2. If the vcengine CLI exists: signs the same prepared documents with vcengine
//    -> vectors/interop/vcengine/<name>.<suite>.json, verifies those with DB
//    (vcengine -> DB), verifies the DB fixtures with `vcengine verify --json`
//    (DB -> vcengine, plus tampered copies that must fail), compares proofValues.
// 3. Writes RESULTS.md. Exit 0 only if every executed check passed.
import {execFileSync, spawnSync} from 'node:child_process';
import {isDeepStrictEqual} from 'node:util';
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {prepare, sign} from './sign.mjs';
import {tamper, verifyFile} from './verify.mjs';
import {SUITES} from './suites.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const VECTORS = path.join(REPO, 'conformance', 'vectors', 'interop');
const DIRS = {
  unsigned: path.join(VECTORS, 'unsigned'),
  db: path.join(VECTORS, 'digitalbazaar'),
  vcengine: path.join(VECTORS, 'vcengine')
};
const KEY = path.join(HERE, 'keys', 'interop-key.json');
const rel = p => path.relative(REPO, p);

const args = process.argv.slice(2);
const opt = name => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const CREATED = opt('--created') ?? '2025-07-01T00:00:00Z';
let VCENGINE = args.includes('--no-vcengine') ? null :
  (opt('--vcengine') ?? path.join(REPO, '.venv', 'bin', 'vcengine'));

const writeJson = (file, obj) => writeFileSync(file, JSON.stringify(obj, null, 2) + '\n');
const readJson = file => JSON.parse(readFileSync(file, 'utf8'));
const proofOf = doc => [doc?.proof].flat()[0];

function vcengineAvailable() {
  if(!VCENGINE || !existsSync(VCENGINE)) return false;
  const r = spawnSync(VCENGINE, ['--help'], {encoding: 'utf8'});
  return r.status === 0 && /\bsign\b/.test(r.stdout) && /\bverify\b/.test(r.stdout);
}

function vcengineVerify(file) {
  const r = spawnSync(VCENGINE, ['verify', '--json', file], {encoding: 'utf8'});
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch{
    report = null;
  }
  const proofCheck = report?.checks?.find(c => c.check === 'proof');
  const failed = report?.checks?.filter(c => c.outcome === 'fail' || c.outcome === 'indeterminate')
    .map(c => `${c.check}: ${c.reason}`);
  return {
    exit: r.status,
    verified: r.status === 0 && report?.verified === true,
    proof: proofCheck?.outcome ?? null,
    error: r.status === 0 ? undefined :
      (failed?.join('; ') || (r.stderr || r.stdout).trim().split('\n').slice(-1)[0])
  };
}

function vcengineRevision() {
  try {
    const head = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], {encoding: 'utf8'}).trim();
    const dirty = execFileSync('git', ['-C', REPO, 'status', '--porcelain', '--', 'vcengine'],
      {encoding: 'utf8'}).trim();
    return dirty ? `${head} + uncommitted changes under vcengine/` : head;
  } catch{
    return 'unknown';
  }
}

function packageVersions() {
  const lock = readJson(path.join(HERE, 'package-lock.json'));
  const names = [
    '@digitalbazaar/vc', '@digitalbazaar/data-integrity',
    '@digitalbazaar/eddsa-rdfc-2022-cryptosuite', '@digitalbazaar/eddsa-jcs-2022-cryptosuite',
    '@digitalbazaar/ed25519-signature-2020', '@digitalbazaar/ed25519-verification-key-2020',
    '@digitalbazaar/ed25519-multikey', '@digitalbazaar/did-method-key',
    'jsonld-signatures', 'jsonld', 'rdf-canonize', 'canonicalize'
  ];
  return names.map(n => [n, lock.packages[`node_modules/${n}`]?.version ?? '?']);
}

async function main() {
  for(const d of Object.values(DIRS)) mkdirSync(d, {recursive: true});
  const inputs = readdirSync(path.join(HERE, 'inputs')).filter(f => f.endsWith('.json')).sort();
  if(!inputs.length) throw new Error('no inputs in inputs/');
  const haveVcengine = vcengineAvailable();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vcengine-interop-'));
  const rows = [];
  let allOk = true;

  for(const input of inputs) {
    const name = input.replace(/\.json$/, '');
    const credential = readJson(path.join(HERE, 'inputs', input));
    for(const suite of SUITES) {
      const row = {input: name, suite};
      rows.push(row);
      const base = `${name}.${suite}.json`;
      const unsignedFile = path.join(DIRS.unsigned, base);
      const prepared = await prepare({credential, suite});
      writeJson(unsignedFile, prepared);

      // --- Digital Bazaar signs, Digital Bazaar verifies (sanity) ---
      const dbFile = path.join(DIRS.db, base);
      try {
        writeJson(dbFile, await sign({credential: prepared, keyFile: KEY, suite, created: CREATED}));
        const r = await verifyFile(dbFile);
        row.dbSelf = r.ok;
        row.dbSelfError = r.ok ? undefined : (r.error ?? `tampered copy not rejected`);
      } catch(e) {
        row.dbSelf = false;
        row.dbSelfError = `DB signing failed: ${e.message}`;
        rmSync(dbFile, {force: true});
      }
      allOk &&= row.dbSelf;
      if(!haveVcengine) continue;

      // --- vcengine signs -> Digital Bazaar verifies ---
      const veFile = path.join(DIRS.vcengine, base);
      const s = spawnSync(VCENGINE, [
        'sign', unsignedFile, '--key', KEY, '--suite', suite, '--created', CREATED
      ], {encoding: 'utf8'});
      if(s.status === 0) {
        writeFileSync(veFile, s.stdout.endsWith('\n') ? s.stdout : s.stdout + '\n');
        const r = await verifyFile(veFile);
        row.veToDb = r.ok;
        row.veToDbError = r.ok ? undefined : (r.verified ? 'tampered copy not rejected' : r.error);
      } else {
        row.veToDb = false;
        row.veToDbError = `vcengine sign exit ${s.status}: ${s.stderr.trim().split('\n').slice(-1)[0]}`;
        rmSync(veFile, {force: true});
      }

      // --- Digital Bazaar signs -> vcengine verifies (+ tampered copy must fail) ---
      if(existsSync(dbFile)) {
        const good = vcengineVerify(dbFile);
        const [bad] = tamper(readJson(dbFile));
        const badFile = path.join(tmp, `tampered.${base}`);
        writeJson(badFile, bad);
        const tam = vcengineVerify(badFile);
        row.dbToVe = good.verified && !tam.verified && tam.proof === 'fail';
        row.dbToVeError = !good.verified ? good.error :
          (row.dbToVe ? undefined : `tampered copy: exit ${tam.exit}, proof ${tam.proof}`);
      } else {
        row.dbToVe = false;
        row.dbToVeError = 'no DB fixture';
      }

      // --- byte-identical proofValue / document? ---
      if(existsSync(dbFile) && existsSync(veFile)) {
        const a = readJson(dbFile);
        const b = readJson(veFile);
        row.sameProofValue = proofOf(a)?.proofValue === proofOf(b)?.proofValue;
        row.sameDocument = isDeepStrictEqual(a, b);
      }
      allOk &&= row.veToDb && row.dbToVe;
    }
  }
  // --- inputs-negative/: terms no context defines. Both implementations must make the
  // same decision (refuse for the RDF suites: safe mode / data-loss; JCS signs JSON). ---
  const negRows = [];
  const negDir = path.join(HERE, 'inputs-negative');
  const negInputs = existsSync(negDir) ?
    readdirSync(negDir).filter(f => f.endsWith('.json')).sort() : [];
  for(const input of haveVcengine ? negInputs : []) {
    const name = input.replace(/\.json$/, '');
    const credential = readJson(path.join(negDir, input));
    for(const suite of SUITES) {
      const row = {input: name, suite};
      negRows.push(row);
      const unsignedFile = path.join(tmp, `neg.${name}.${suite}.json`);
      writeJson(unsignedFile, await prepare({credential, suite}));
      let dbDoc;
      try {
        dbDoc = await sign({credential: readJson(unsignedFile), keyFile: KEY, suite, created: CREATED});
        row.db = 'signed';
      } catch(e) {
        row.db = `refused (${e.message.split('\n')[0]})`;
      }
      const s = spawnSync(VCENGINE, [
        'sign', unsignedFile, '--key', KEY, '--suite', suite, '--created', CREATED
      ], {encoding: 'utf8'});
      row.vcengine = s.status === 0 ? 'signed' :
        `refused (${s.stderr.trim().split('\n').slice(-1)[0].replace(/^vcengine: error: /, '')})`;
      row.agree = (row.db === 'signed') === (row.vcengine === 'signed');
      if(dbDoc && s.status === 0) {
        const dbFile = path.join(tmp, `neg.db.${name}.${suite}.json`);
        const veFile = path.join(tmp, `neg.ve.${name}.${suite}.json`);
        writeJson(dbFile, dbDoc);
        writeFileSync(veFile, s.stdout);
        row.sameProofValue = proofOf(dbDoc)?.proofValue === proofOf(readJson(veFile))?.proofValue;
        const v1 = vcengineVerify(dbFile);
        row.dbToVe = v1.verified ? 'verified' : `not verified (${v1.error})`;
        const v2 = await verifyFile(veFile, {checkTamper: false});
        row.veToDb = v2.verified ? 'verified' : `not verified (${v2.error})`;
      }
      allOk &&= row.agree;
    }
  }
  rmSync(tmp, {recursive: true, force: true});
  writeResults({rows, negRows, haveVcengine, inputs});
  for(const r of negRows) console.log(JSON.stringify(r));
  for(const r of rows) console.log(JSON.stringify(r));
  console.log(allOk ? 'ALL CHECKS PASSED' : 'SOME CHECKS FAILED (see RESULTS.md)');
  process.exit(allOk ? 0 : 1);
}

function writeResults({rows, negRows, haveVcengine}) {
  const mark = (v, err) => v === undefined ? 'n/a' : (v ? 'pass' : `**FAIL**${err ? ` (${err.replace(/\|/g, '\\|').replace(/\n/g, ' ')})` : ''}`);
  const yn = v => v === undefined ? 'n/a' : (v ? 'yes' : '**no**');
  const node = process.version;
  const date = new Date().toISOString().slice(0, 10);
  const L = [];
  L.push('# Interop results: vcengine × Digital Bazaar', '');
  L.push(`Generated by \`conformance/interop/run.sh\` on ${date} (Node ${node}). ` +
    `Key: \`keys/interop-key.json\` (did:key, seed 0x01..0x20); proof \`created\` = \`${CREATED}\`; ` +
    'proofPurpose `assertionMethod`. ' +
    (haveVcengine ? `vcengine: \`${VCENGINE.startsWith(REPO) ? rel(VCENGINE) : VCENGINE}\` at git ${vcengineRevision()}. ` : '') +
    'Contexts served only from `contexts/` (sha256-checked against ' +
    '`contexts/index.json`); did:key resolved locally; no network.', '');
  L.push('Columns:', '');
  L.push('- **DB→DB**: Digital Bazaar signs, Digital Bazaar verifies (and rejects a tampered copy) — harness sanity.');
  L.push('- **DB→vcengine**: `vcengine verify --json` accepts the DB-signed fixture (exit 0, verdict verified) and rejects a tampered copy (proof check `fail`).');
  L.push('- **vcengine→DB**: `vcengine sign` output is verified by Digital Bazaar (`@digitalbazaar/vc` verifyCredential), and a tampered copy is rejected.');
  L.push('- **same proofValue**: DB and vcengine produced byte-identical `proofValue` for the same prepared input, key and `created` (Ed25519 is deterministic).');
  L.push('- **same document**: the two signed documents are equal as JSON values.', '');
  if(!haveVcengine) {
    L.push('> vcengine CLI not found / not working at run time: only the DB→DB column was executed.', '');
  }
  L.push('| input | suite | DB→DB | DB→vcengine | vcengine→DB | same proofValue | same document |');
  L.push('|---|---|---|---|---|---|---|');
  for(const r of rows) {
    L.push(`| ${r.input} | ${r.suite} | ${mark(r.dbSelf, r.dbSelfError)} | ` +
      `${mark(r.dbToVe, r.dbToVeError)} | ${mark(r.veToDb, r.veToDbError)} | ` +
      `${yn(r.sameProofValue)} | ${yn(r.sameDocument)} |`);
  }
  if(negRows.length) {
    L.push('', '## Refusals (inputs-negative/: a term no context defines)', '');
    L.push('Both implementations must make the same decision: an RDF-canonicalized suite must refuse to ' +
      'sign a term JSON-LD would drop (DB: jsonld safe mode; vcengine: data-loss check); ' +
      'eddsa-jcs-2022 signs the JSON as is. **agree** is the pass/fail criterion; for documents both ' +
      'signed, the cross-verification outcome is recorded for information.', '');
    L.push('| input | suite | Digital Bazaar | vcengine | agree | same proofValue | DB→vcengine | vcengine→DB |');
    L.push('|---|---|---|---|---|---|---|---|');
    const esc = v => v === undefined ? 'n/a' : String(v).replace(/\|/g, '\\|');
    for(const r of negRows) {
      L.push(`| ${r.input} | ${r.suite} | ${esc(r.db)} | ${esc(r.vcengine)} | ${r.agree ? 'pass' : '**FAIL**'} | ` +
        `${yn(r.sameProofValue)} | ${esc(r.dbToVe)} | ${esc(r.veToDb)} |`);
    }
  }
  L.push('', '## Digital Bazaar package versions (from package-lock.json)', '');
  L.push('| package | version |', '|---|---|');
  for(const [n, v] of packageVersions()) L.push(`| \`${n}\` | ${v} |`);
  L.push('', 'Fixtures: `conformance/vectors/interop/{unsigned,digitalbazaar,vcengine}/<input>.<suite>.json`.', '');
  writeFileSync(path.join(HERE, 'RESULTS.md'), L.join('\n'));
}

main().catch(e => {
  console.error(`run.mjs: ${e.stack ?? e}`);
  process.exit(2);
});
