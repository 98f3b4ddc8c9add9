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
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../errors.js';

function tempName(target: string, tag: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
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
  if (code === 'ENOSPC' || code === 'EDQUOT') return new UserError('no space left on the device', { location: { file: target }, hint: 'Free some space or write elsewhere' });
  if (code === 'ENOTDIR' || code === 'EEXIST')
    return new UserError('cannot write here (a part of the path is a file, not a folder)', { location: { file: target }, hint: 'Check the output path' });
  // Any other system error (EIO, EFBIG, ENAMETOOLONG, ...): one line, exit 2, never a stack.
  if (typeof code === 'string') return new UserError(`cannot write here (${code})`, { location: { file: target }, hint: 'Check the output path and the device' });
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
 * Writes `data` to `file` atomically (temporary file in the same folder + rename). `data`
 * may be an iterable of chunks, so large generated files stream without being held in memory.
 */
export async function writeFileAtomic(file: string, data: string | Buffer | Iterable<string>): Promise<void> {
  const tmp = tempName(file, 'tmp');
  try {
    const fh = await fsp.open(tmp, 'wx');
    try {
      if (typeof data === 'string' || Buffer.isBuffer(data)) await fh.writeFile(data);
      else {
        // Batch small chunks into ~1 MB writes.
        let pending: string[] = [];
        let size = 0;
        for (const chunk of data) {
          pending.push(chunk);
          size += chunk.length;
          if (size >= 1 << 20) {
            await fh.write(pending.join(''));
            pending = [];
            size = 0;
          }
        }
        if (pending.length > 0) await fh.write(pending.join(''));
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code === 'EISDIR' || (e as NodeJS.ErrnoException).code === 'ENOTEMPTY')
      throw new UserError('is a directory', { location: { file }, hint: 'Give a file name for the output' });
    throw writeError(e, file);
  }
}

export interface WriteDirOptions {
  /** Replace an existing DIR. */
  force?: boolean;
}

/** Checks a relative path inside the output folder (no absolute paths, no ".."). */
function safeRelative(rel: string): string {
  const norm = path.normalize(rel);
  if (rel === '' || path.isAbsolute(rel) || norm === '..' || norm.startsWith('..' + path.sep) || norm === '.')
    throw new Error(`writeDirAtomic: bad relative path ${JSON.stringify(rel)}`);
  return norm;
}

/**
 * Writes `files` (relative path -> content) as the folder `dir`, all or nothing.
 * Throws UserError (exit 2) when `dir` exists and `force` is not set; `dir` is then untouched.
 */
export async function writeDirAtomic(dir: string, files: Map<string, string | Buffer>, opts: WriteDirOptions = {}): Promise<void> {
  const target = path.resolve(dir);
  const existsHint = 'Use --force to replace it, or choose another output folder';
  if (!opts.force && (await exists(target)))
    throw new UserError('already exists', { location: { file: dir }, hint: existsHint });
  // --force replaces a folder written before, never a file that happens to have the name.
  if (opts.force && (await fsp.lstat(target).then((st) => !st.isDirectory(), () => false)))
    throw new UserError('is a file, not an output folder; --force replaces folders only', {
      location: { file: dir },
      hint: 'Choose another output folder name, or move the file away',
    });
  const entries = [...files].map(([rel, data]) => [safeRelative(rel), data] as const);

  const tmp = tempName(target, 'tmp');
  try {
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.mkdir(tmp);
    for (const [rel, data] of entries) {
      const p = path.join(tmp, rel);
      await fsp.mkdir(path.dirname(p), { recursive: true });
      await fsp.writeFile(p, data, { flag: 'wx' });
    }
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw writeError(e, dir);
  }

  if (!(await exists(target))) {
    try {
      await fsp.rename(tmp, target);
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
  // Replace: old aside, new in, old removed.
  const old = tempName(target, 'old');
  try {
    await fsp.rename(target, old);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw writeError(e, dir);
  }
  try {
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rename(old, target).catch(() => undefined);
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw writeError(e, dir);
  }
  await fsp.rm(old, { recursive: true, force: true });
}
