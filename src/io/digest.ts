/**
 * The bytes and digest of an input, hashed from the very bytes its reads read (issue 16).
 *
 * Every pass that reads an input whole (in file order, from its first byte) hashes the raw
 * bytes as they arrive, before they are decoded or parsed. The first whole pass gives the
 * input's digest; every later one must give the same digest, else the file changed while
 * it was being read (a same-size rewrite between two passes included) and the run stops
 * with one line (exit 2). So the digest a report's manifest records is always that of the
 * bytes the analysis read, never of a second reading.
 *
 * The digest is SHA-256 where it is recorded (a report's manifest: the report opens its
 * inputs so), and CRC-32 otherwise, where it only tells whether a later pass read the same
 * bytes (a change the same size whose CRC-32 is the same too slips through 1 time in 2^32;
 * nothing here guards against a file crafted to do so while it is being read). CRC-32
 * (zlib's, native) hashes the 39 MB of the bench's 1M-row file in about 8 ms, SHA-256 in
 * about 22 (at 10M rows about 0.14 s less on the thread that reads).
 *
 * Inputs copied first (standard input, pipes, compressed and binary files: ./source.ts
 * spools or snapshots them) are hashed while they are copied; later passes read the private
 * copy. Hashing happens where the bytes are read (the main thread), so a reader that hands
 * chunks to other threads for parsing keeps this guarantee.
 */
import type { Hash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { UserError } from '../errors.js';
import { nodeCrypto } from './lazy-crypto.js';

/** Which digest an input's reads compute (see the top of the file). */
export type DigestKind = 'sha256' | 'crc32';

/** What was read of an input: its size and the digest (hex) of its bytes, SHA-256 or CRC-32 (one of them, never both). */
export type ReadDigest = { bytes: number; sha256: string; crc32?: never } | { bytes: number; crc32: string; sha256?: never };

/** zlib.crc32 (Node.js 20.15 and later); SHA-256 stands in before. */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** The digest of one input, settled by its first whole pass and checked by every later one. */
export class InputDigest {
  private value: ReadDigest | null = null;

  /** `display` names the input in errors. */
  constructor(
    private readonly display: string,
    readonly kind: DigestKind = 'crc32',
  ) {}

  /** The digest of the bytes read, or null before any pass has read the input whole. */
  get(): ReadDigest | null {
    return this.value;
  }

  /** A hasher for one pass; feed it every byte of the input, in order, from the first. */
  pass(): PassHash {
    return new PassHash(this);
  }

  /** Records the digest of a whole pass (PassHash.finish calls it). */
  settle(d: ReadDigest): void {
    if (this.value === null) {
      this.value = d;
      return;
    }
    // Two readings hashed two ways cannot be compared: a program error, not a changed file.
    if ((this.value.sha256 === undefined) !== (d.sha256 === undefined))
      throw new Error(`internal: ${this.display} was hashed with SHA-256 in one reading and CRC-32 in another`);
    if (this.value.sha256 !== d.sha256 || this.value.crc32 !== d.crc32 || this.value.bytes !== d.bytes)
      throw new UserError(`the file changed while it was being read (its content differs between two readings of ${d.bytes.toLocaleString('en')} bytes)`, {
        location: { file: this.display },
        hint: 'Run again once nothing else is writing the file (or copy it first)',
      });
  }
}

/** One pass's running hash. */
export class PassHash {
  private readonly hash: Hash | null;
  private crc = 0;
  private n = 0;

  constructor(private readonly owner: InputDigest) {
    this.hash = owner.kind === 'crc32' && crc32 !== undefined ? null : nodeCrypto().createHash('sha256');
  }

  /** Bytes hashed so far. */
  get bytes(): number {
    return this.n;
  }

  update(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.hash === null) this.crc = crc32!(chunk, this.crc);
    else this.hash.update(chunk);
    this.n += chunk.length;
  }

  /** Ends a pass that read the input whole: settles (or checks) the input's digest. */
  finish(): ReadDigest {
    const d: ReadDigest =
      this.hash === null ? { bytes: this.n, crc32: (this.crc >>> 0).toString(16).padStart(8, '0') } : { bytes: this.n, sha256: this.hash.digest('hex') };
    this.owner.settle(d);
    return d;
  }
}
