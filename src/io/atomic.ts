/**
 * Atomic writes: a reader (or a crash) never sees a half-written file or report folder.
 *
 * writeFileAtomic: write a temporary file beside the target, then rename it over the
 * target (rename within one directory is atomic on POSIX file systems).
 *
 * writeDirAtomic: write every file into a temporary folder beside DIR, and only when all
 * are written rename the folder into place. An existing DIR is an error unless `force`,
 * in which case the old DIR is renamed aside, the new one renamed in, and the old one
 * removed (if the second rename fails, the old DIR is put back).
 *
 * Interruptions (docs/safety.md): the temporary paths are registered with src/io/cleanup.ts,
 * whose SIGINT/SIGTERM/SIGHUP handler removes them and puts an old DIR that was moved aside
 * back in place. Node exposes no atomic exchange of two directories (Linux renameat2
 * RENAME_EXCHANGE), so between the two renames of a replacement there is an instant with no
 * DIR; only a kill -9 in that instant can leave it so, and the next run into the same folder
 * restores it (recoverLeftovers). Leftover `.DIR.tmp-PID-*` folders of dead processes are
 * removed by the next run, which says so.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { nodeCrypto } from './lazy-crypto.js';
import { markSwap, track, untrack } from './cleanup.js';
import { readdirSync, existsSync, renameSync, rmSync } from 'node:fs';

function tempName(target: string, tag: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${tag}-${process.pid}-${nodeCrypto().randomBytes(4).toString('hex')}`);
}

function writeError(e: unknown, target: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new UserError('cannot write here (permission denied)', {
      location: { file: target },
      hint: 'Choose an output path in a folder you can write to',
    });
  if (code === 'ENOENT')
    return new UserError(`cannot write '${target}': the folder does not exist`, {
      location: { file: target },
      hint: 'Create the folder first or choose another output path',
    });
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new UserError('no space left on the device', { location: { file: target }, hint: 'Free some space or write elsewhere' });
  if (code === 'ENOTDIR' || code === 'EEXIST')
    return new UserError('cannot write here (a part of the path is a file, not a folder)', { location: { file: target }, hint: 'Check the output path' });
  // Any other system error (EIO, EFBIG, ENAMETOOLONG, ...): one line, exit 2, never a stack.
  if (typeof code === 'string')
    return new UserError(`cannot write here (${code})`, { location: { file: target }, hint: 'Check the output path and the device' });
  return e;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a file of writeDirAtomic holds: text, bytes, or text in pieces (a function giving the
 * pieces, called when the file is written: src/report/stream.ts's jsonChunks and
 * render.ts's csvChunks), so a file larger than one string may be, or than memory should
 * hold twice, is never built whole.
 */
export type FileContent = string | Buffer | (() => Iterable<string>);

/**
 * Writes all of `text`, looping over short writes: one write(2) may write less than asked
 * (a disk that fills up, a file size limit) without an error, and only the next call fails
 * (ENOSPC, EFBIG). FileHandle.write does not loop, so a file could end short with exit 0.
 */
async function writeAll(fh: Pick<fsp.FileHandle, 'write'>, text: string): Promise<void> {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
}

/** Writes text pieces to an open file, batched into writes of about 1 MB. */
export async function writePieces(fh: Pick<fsp.FileHandle, 'write'>, pieces: Iterable<string>): Promise<void> {
  let pending: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    pending.push(piece);
    size += piece.length;
    if (size >= 1 << 20) {
      await writeAll(fh, pending.join(''));
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) await writeAll(fh, pending.join(''));
}

/**
 * Writes `data` to `file` atomically (temporary file in the same folder + rename). `data`
 * may be an iterable of chunks, so large generated files stream without being held in memory.
 */
export async function writeFileAtomic(file: string, data: string | Buffer | Iterable<string>): Promise<void> {
  // A device or pipe in the way (`--out /dev/null --force`): the rename would put a regular
  // file in its place (as root, /dev/null itself), so it is refused, untouched.
  const st = await fsp.stat(file).catch(() => null);
  if (st !== null && !st.isFile() && !st.isDirectory())
    throw new UserError('is a device or pipe, not a file; --out writes regular files only', {
      location: { file },
      hint: 'Leave out --out to write to standard output, or give a file path',
    });
  const tmp = tempName(file, 'tmp');
  track(tmp);
  try {
    const fh = await fsp.open(tmp, 'wx');
    try {
      if (typeof data === 'string' || Buffer.isBuffer(data)) await fh.writeFile(data);
      else await writePieces(fh, data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
    untrack(tmp);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    untrack(tmp);
    if ((e as NodeJS.ErrnoException).code === 'EISDIR' || (e as NodeJS.ErrnoException).code === 'ENOTEMPTY')
      throw new UserError('is a directory', { location: { file }, hint: 'Give a file name for the output' });
    throw writeError(e, file);
  }
}

export interface WriteDirOptions {
  /** Replace an existing DIR. */
  force?: boolean;
  /**
   * With force: replace DIR only when it holds this file (a report folder holds its
   * manifest.json) or is empty, so --force never deletes a folder the tool did not write.
   */
  marker?: string;
  /** Told what was cleaned up from an earlier, interrupted run. */
  onRecover?: (message: string) => void;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Leftovers of an interrupted run beside `target` (`.NAME.tmp-PID-*`, `.NAME.old-PID-*`)
 * whose process is gone: a temporary folder is removed; an old folder is put back when
 * `target` is missing (a kill between the two renames of a replacement), else removed.
 * Returns one message per thing done.
 */
export function recoverLeftovers(target: string): string[] {
  const dir = path.dirname(target);
  const base = path.basename(target);
  const done: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return done;
  }
  const re = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)-[0-9a-f]{8}$`);
  // old folders first: restoring one decides whether the others are stale
  const found = names.map((n) => [n, re.exec(n)] as const).filter(([, m]) => m !== null && !alive(Number(m[2])));
  found.sort(([, a], [, b]) => (a![1] === b![1] ? 0 : a![1] === 'old' ? -1 : 1));
  for (const [name, m] of found) {
    const p = path.join(dir, name);
    try {
      if (m![1] === 'old' && !existsSync(target)) {
        renameSync(p, target);
        done.push(`restored ${base} from ${name}, left by an interrupted run (process ${m![2]})`);
      } else {
        rmSync(p, { recursive: true, force: true });
        done.push(`removed ${name}, left by an interrupted run (process ${m![2]})`);
      }
    } catch {
      // not ours to fix (permissions): leave it
    }
  }
  return done;
}

/** Checks a relative path inside the output folder (no absolute paths, no ".."). */
function safeRelative(rel: string): string {
  const norm = path.normalize(rel);
  if (rel === '' || path.isAbsolute(rel) || norm === '..' || norm.startsWith('..' + path.sep) || norm === '.')
    throw new Error(`writeDirAtomic: bad relative path ${JSON.stringify(rel)}`);
  return norm;
}

const existsHint = 'Use --force to replace it, or choose another output folder';

/**
 * Whether writeDirAtomic may write the folder `target` (an absolute path; messages name it as
 * `dir`, as the user gave it): a UserError (exit 2) when not. Without
 * `force` it must not exist; with `force` it must be a folder, and with `marker` empty or
 * holding that file (a folder this command wrote). writeDirAtomic checks it; a command that
 * works long before it writes (report) checks it first too, so a clash is reported before
 * the work rather than after.
 */
export async function checkDirTarget(target: string, opts: Pick<WriteDirOptions, 'force' | 'marker'> = {}, dir: string = target): Promise<void> {
  if (!opts.force && (await exists(target))) throw new UserError('already exists', { location: { file: dir }, hint: existsHint });
  // --force replaces a folder written before, never a file that happens to have the name.
  if (
    opts.force &&
    (await fsp.lstat(target).then(
      (st) => !st.isDirectory(),
      () => false,
    ))
  )
    throw new UserError('is a file, not an output folder; --force replaces folders only', {
      location: { file: dir },
      hint: 'Choose another output folder name, or move the file away',
    });
  if (opts.force && opts.marker !== undefined && (await exists(target))) {
    const names = await fsp.readdir(target).catch(() => [] as string[]);
    if (names.length > 0 && !names.includes(opts.marker))
      throw new UserError(`does not hold an earlier report (no ${opts.marker}); --force replaces only a folder this command wrote`, {
        location: { file: dir },
        hint: 'Choose another output folder, or empty or remove this one yourself',
      });
  }
}

/**
 * Writes `files` (relative path -> content) as the folder `dir`, all or nothing.
 * Throws UserError (exit 2) when `dir` exists and `force` is not set; `dir` is then untouched.
 */
export async function writeDirAtomic(dir: string, files: Map<string, FileContent>, opts: WriteDirOptions = {}): Promise<void> {
  const target = path.resolve(dir);
  for (const msg of recoverLeftovers(target)) opts.onRecover?.(msg);
  await checkDirTarget(target, opts, dir);
  const entries = [...files].map(([rel, data]) => [safeRelative(rel), data] as const);

  const tmp = tempName(target, 'tmp');
  track(tmp);
  try {
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.mkdir(tmp);
    for (const [rel, data] of entries) {
      const p = path.join(tmp, rel);
      await fsp.mkdir(path.dirname(p), { recursive: true });
      if (typeof data !== 'function') await fsp.writeFile(p, data, { flag: 'wx' });
      else {
        const fh = await fsp.open(p, 'wx');
        try {
          await writePieces(fh, data());
        } finally {
          await fh.close();
        }
      }
    }
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    untrack(tmp);
    throw writeError(e, dir);
  }

  if (!(await exists(target))) {
    try {
      await fsp.rename(tmp, target);
      untrack(tmp);
      return;
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY')
        throw new UserError('already exists (created while the report was being written)', { location: { file: dir }, hint: existsHint });
      throw writeError(e, dir);
    }
  }
  if (!opts.force) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw new UserError('already exists', { location: { file: dir }, hint: existsHint });
  }
  // Replace: old aside, new in, old removed. The two renames are synchronous, one right
  // after the other, so no signal handler or other task runs between them; a signal
  // before or after finds a consistent state (cleanup.ts puts the old folder back).
  const old = tempName(target, 'old');
  try {
    markSwap({ old, target });
    renameSync(target, old);
  } catch (e) {
    markSwap(null);
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    untrack(tmp);
    throw writeError(e, dir);
  }
  try {
    renameSync(tmp, target);
    untrack(tmp);
    markSwap(null);
  } catch (e) {
    markSwap(null);
    try {
      renameSync(old, target);
    } catch {
      // the next run restores it (recoverLeftovers)
    }
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    untrack(tmp);
    throw writeError(e, dir);
  }
  track(old);
  await fsp.rm(old, { recursive: true, force: true });
  untrack(old);
}
