/**
 * The bytes and SHA-256 of an input, hashed from the very bytes its reads read (issue 16).
 *
 * Every pass that reads an input whole (in file order, from its first byte) hashes the raw
 * bytes as they arrive, before they are decoded or parsed. The first whole pass gives the
 * input's digest; every later one must give the same digest, else the file changed while
 * it was being read (a same-size rewrite between two passes included) and the run stops
 * with one line (exit 2). So the digest a report's manifest records is always that of the
 * bytes the analysis read, never of a second reading.
 *
 * Inputs copied first (standard input, pipes, compressed and binary files: ./source.ts
 * spools or snapshots them) are hashed while they are copied; later passes read the private
 * copy. Hashing happens where the bytes are read (the main thread), so a reader that hands
 * chunks to other threads for parsing keeps this guarantee.
 */
import { createHash, type Hash } from 'node:crypto';
import { UserError } from '../errors.js';

/** What was read of an input: its size and the SHA-256 (hex) of its bytes. */
export interface ReadDigest {
  bytes: number;
  sha256: string;
}

/** The digest of one input, settled by its first whole pass and checked by every later one. */
export class InputDigest {
  private value: ReadDigest | null = null;

  /** `display` names the input in errors. */
  constructor(private readonly display: string) {}

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
    if (this.value.sha256 !== d.sha256 || this.value.bytes !== d.bytes)
      throw new UserError(`the file changed while it was being read (its content differs between two readings of ${d.bytes.toLocaleString('en')} bytes)`, {
        location: { file: this.display },
        hint: 'Run again once nothing else is writing the file (or copy it first)',
      });
  }
}

/** One pass's running hash. */
export class PassHash {
  private readonly hash: Hash = createHash('sha256');
  private n = 0;

  constructor(private readonly owner: InputDigest) {}

  /** Bytes hashed so far. */
  get bytes(): number {
    return this.n;
  }

  update(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.hash.update(chunk);
    this.n += chunk.length;
  }

  /** Ends a pass that read the input whole: settles (or checks) the input's digest. */
  finish(): ReadDigest {
    const d = { bytes: this.n, sha256: this.hash.digest('hex') };
    this.owner.settle(d);
    return d;
  }
}
