/**
 * node:crypto, loaded when first used. The program hashes with it only for a report's
 * manifest (SHA-256), a pseudonym key (HMAC), a temporary file's name and on Node.js
 * before 20.15 (no zlib.crc32: ./digest.ts); loading it, with the internal modules it
 * pulls in, cost every command about 3 ms of start-up, the worker threads too (issue 15).
 * A require made at call time, which the bundle keeps as such (scripts/bundle.mjs).
 */
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';

let loaded: typeof Crypto | undefined;

export function nodeCrypto(): typeof Crypto {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto);
}
