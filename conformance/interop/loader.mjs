// Closed-world JSON-LD document loader for the interop harness.
//
// * JSON-LD contexts are served ONLY from the repository's vendored copies
//   (<repo>/contexts/, mapped URL -> file by contexts/index.json). Every file's
//   sha256 is checked against index.json at start-up, so the bytes the Digital
//   Bazaar libraries process are exactly the bytes vcengine processes.
// * did:key URLs (DIDs and verification-method URLs) are resolved locally with
//   @digitalbazaar/did-method-key (Ed25519 Multikey): the key is in the DID itself.
// * Anything else throws. Nothing is ever fetched from the network.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as DidKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CONTEXTS_DIR = path.resolve(HERE, '..', '..', 'contexts');

function loadContexts() {
  const index = JSON.parse(
    readFileSync(path.join(CONTEXTS_DIR, 'index.json'), 'utf8'));
  const map = new Map();
  for(const [url, entry] of Object.entries(index)) {
    const bytes = readFileSync(path.join(CONTEXTS_DIR, entry.file));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if(entry.sha256 && digest !== entry.sha256) {
      throw new Error(
        `contexts/${entry.file}: sha256 ${digest} != index.json ${entry.sha256}`);
    }
    map.set(url, {text: bytes.toString('utf8'), file: entry.file, sha256: digest});
  }
  return map;
}

export const CONTEXTS = loadContexts();

const didKeyDriver = DidKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

/** Log of every URL requested (for the README / debugging). */
export const requested = new Set();

export async function documentLoader(url) {
  requested.add(url);
  const ctx = CONTEXTS.get(url);
  if(ctx) {
    // a fresh parse per request: no library can mutate a shared copy
    return {contextUrl: null, documentUrl: url, document: JSON.parse(ctx.text)};
  }
  if(url.startsWith('did:key:')) {
    const document = await didKeyDriver.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`closed-world document loader: refusing to load "${url}"`);
}
