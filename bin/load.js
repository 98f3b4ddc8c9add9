// Loads the built program, dist/alliance.cjs (one file: scripts/bundle.mjs bundles dist/
// into it), compiled with V8's code cache dist/alliance.cjs.cache when the cache was made
// for this very bundle (its first line, the build id, matches) and is whole (its checksum
// matches: V8 itself checks only the length and version of a cache, and a damaged one
// could crash it), and for this Node.js: V8 rejects a cache of another version or other
// flags, and then compiles the source as it would without one. The cache only saves
// compiling; what runs is the same source.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import zlib from 'node:zlib';

export const BUNDLE = fileURLToPath(new URL('../dist/alliance.cjs', import.meta.url));
export const CODE_CACHE = `${BUNDLE}.cache`;

/**
 * Commands with a code cache of their own beside the bundle's (`alliance.cjs.<command>.cache`,
 * made by running only that command: scripts/bundle.mjs). V8 reads a whole cache at start,
 * and the cache of every command is about twice the size of one command's; the others, the
 * worker threads and a command whose own cache is missing use CODE_CACHE.
 */
export const COMMAND_CACHES = ['trend', 'describe', 'correlate', 'validate'];

/** The code cache file for `command` (a first argument; anything else: the bundle's). */
export function cachePath(bundle, command) {
  return COMMAND_CACHES.includes(command) ? `${bundle}.${command}.cache` : `${bundle}.cache`;
}

/** The build id: the bundle's first line (`// alliance build HEX`). */
export function buildId(source) {
  return source.slice(0, source.indexOf('\n'));
}

/**
 * The checksum of a cache: `crc32 HEX` (zlib's CRC-32, Node.js 20.15 and later: it finds
 * any damage of up to 32 bits in a row; 0.15 ms over a 0.7 MB cache against 0.4-0.7 ms
 * for SHA-256), else `sha256 HEX` (node:crypto, loaded only then: loading it costs a
 * process about 3 ms). The check guards against damage, not against someone who can
 * write dist/: they could change the bundle itself.
 */
function checksum(cache, kind = zlib.crc32 ? 'crc32' : 'sha256') {
  if (kind === 'crc32') return zlib.crc32 ? `crc32 ${zlib.crc32(cache).toString(16).padStart(8, '0')}` : undefined;
  return `sha256 ${createRequire(import.meta.url)('node:crypto')
    .createHash('sha256')
    .update(cache)
    .digest('hex')}`;
}

/** The code cache file: a line of the build id and the checksum of the cache, then the cache. */
export function cacheFile(id, cache) {
  return Buffer.concat([Buffer.from(`${id} ${checksum(cache)}\n`, 'latin1'), cache]);
}

/** The V8 cache in `file` when it was made for build `id` and is whole, else undefined. */
function cacheFor(id, file) {
  const nl = file.indexOf(10);
  if (nl < 0) return undefined;
  // `ID KIND HEX`: the id has spaces of its own.
  const line = file.toString('latin1', 0, nl);
  const sum = line.lastIndexOf(' ', line.lastIndexOf(' ') - 1);
  if (sum < 0 || line.slice(0, sum) !== id) return undefined;
  const kind = line.slice(sum + 1, line.lastIndexOf(' '));
  if (kind !== 'crc32' && kind !== 'sha256') return undefined;
  const cache = file.subarray(nl + 1);
  return checksum(cache, kind) === line.slice(sum + 1) ? cache : undefined;
}

/** The whole cache in `file` for build `id`, or undefined (missing, unreadable, another build, damaged). */
function readCache(id, file) {
  try {
    return cacheFor(id, readFileSync(file));
  } catch {
    return undefined;
  }
}

/**
 * The bundle's exports ({ main, run }) and its vm.Script (scripts/bundle.mjs makes the
 * code cache from it). `useCache: false` compiles without the cache; `bundle` names
 * another copy (its caches are the files beside it); `command`, the command about to run,
 * picks its own cache when it has one (cachePath).
 */
export function loadProgram({ useCache = true, bundle = BUNDLE, command = undefined } = {}) {
  const source = readFileSync(bundle, 'utf8');
  let cachedData;
  if (useCache) {
    // The command's own cache, else the bundle's; neither (not made yet, unreadable, of
    // another build, damaged): the source is compiled.
    const id = buildId(source);
    const own = cachePath(bundle, command);
    cachedData = readCache(id, own) ?? (own === `${bundle}.cache` ? undefined : readCache(id, `${bundle}.cache`));
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return { exports: module.exports, script };
}
