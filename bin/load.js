// Loads the built program, dist/alliance.cjs (one file: scripts/bundle.mjs bundles dist/
// into it), compiled with V8's code cache dist/alliance.cjs.cache when the cache was made
// for this very bundle (its first line, the build id, matches) and is whole (its SHA-256
// matches: V8 itself checks only the length and version of a cache, and a damaged one
// could crash it), and for this Node.js: V8 rejects a cache of another version or other
// flags, and then compiles the source as it would without one. The cache only saves
// compiling; what runs is the same source.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

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

/** The code cache file: a line of the build id and the SHA-256 of the cache, then the cache. */
export function cacheFile(id, cache) {
  return Buffer.concat([Buffer.from(`${id} ${createHash('sha256').update(cache).digest('hex')}\n`, 'latin1'), cache]);
}

/** The V8 cache in `file` when it was made for build `id` and is whole, else undefined. */
function cacheFor(id, file) {
  const nl = file.indexOf(10);
  if (nl < 0) return undefined;
  const [fileId, hash] = [file.toString('latin1', 0, nl - 65), file.toString('latin1', nl - 64, nl)];
  const cache = file.subarray(nl + 1);
  return fileId === id && createHash('sha256').update(cache).digest('hex') === hash ? cache : undefined;
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
