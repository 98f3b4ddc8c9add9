/**
 * `--out FILE` of the commands that write one document (describe, correlate, trend, model,
 * ruptures, validate): FILE is written atomically (src/io/atomic.ts: a temporary file
 * beside it, then a rename), never over an existing file without --force; `-` or no --out
 * is standard output. An empty --out is refused when the flag is parsed (outPath in
 * options.ts); a device, a pipe or a folder in FILE's place by writeFileAtomic.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { Io } from '../io/process.js';

export interface OutFlags {
  out?: string;
  force?: boolean;
}

/** Whether --out names a file (not given, or `-`: standard output). */
export function toFile(flags: OutFlags): flags is OutFlags & { out: string } {
  return flags.out !== undefined && flags.out !== '-';
}

/**
 * --out's file, resolved against the folder the command runs in; an existing one without
 * --force is refused (exit 2), the file left untouched. A command may call it before its
 * work, so the clash is reported before a long read; writeOutFile checks again.
 */
export function outTarget(flags: OutFlags & { out: string }, io: Pick<Io, 'cwd'>): string {
  const target = resolve(io.cwd, flags.out);
  if (!flags.force && existsSync(target))
    throw new UserError('already exists', { location: { file: flags.out }, hint: 'Use --force to replace it, or choose another file name' });
  return target;
}

/** Writes `data` (text, bytes or text in pieces) to --out's file, all or nothing. */
export async function writeOutFile(data: string | Buffer | Iterable<string>, flags: OutFlags & { out: string }, io: Pick<Io, 'cwd'>): Promise<void> {
  const target = outTarget(flags, io);
  const { writeFileAtomic } = await import('../io/atomic.js');
  await writeFileAtomic(target, data);
}
