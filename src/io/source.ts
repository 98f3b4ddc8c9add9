/**
 * Where the bytes come from: a path, or "-" for standard input. Standard input is spooled
 * to a temporary file (removed when the process exits) so it can be read more than once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';

export interface Source {
  /** As given ("-" for stdin). */
  path: string;
  /** Name used in messages. */
  display: string;
  /** The file actually read (the spool file for stdin). */
  file: string;
  bytes: number;
}

export const STDIN_DISPLAY = '<stdin>';

const spooled = new Set<string>();
let exitHookInstalled = false;

function removeSpooled(): void {
  for (const dir of spooled) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  spooled.clear();
}

/** Copies a stream into a temporary file; returns the file's path. */
export async function spoolToTemp(stream: NodeJS.ReadableStream): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-stdin-'));
  spooled.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', removeSpooled);
  }
  const file = path.join(dir, 'stdin.csv');
  await pipeline(stream, fs.createWriteStream(file));
  return file;
}

/** Removes all spooled stdin copies now (for tests; otherwise done at exit). */
export function cleanupSpooled(): void {
  removeSpooled();
}

/** Resolves and checks an input; throws UserError for missing, unreadable, directory or empty inputs. */
export async function openSource(input: string, stdin?: NodeJS.ReadableStream, displayAs?: string): Promise<Source> {
  if (input === '-') {
    const stream = stdin ?? process.stdin;
    if ((stream as { isTTY?: boolean }).isTTY === true)
      throw new UserError('standard input is a terminal, not a file', {
        location: { file: displayAs ?? STDIN_DISPLAY },
        hint: 'Pipe a CSV export into the command (alliance ... - < data.csv), or give its path instead of "-"',
      });
    const file = await spoolToTemp(stream);
    const bytes = fs.statSync(file).size;
    if (bytes === 0)
      throw new UserError('standard input is empty', {
        location: { file: displayAs ?? STDIN_DISPLAY },
        hint: 'Pipe a CSV export into the command, or give its path instead of "-"',
      });
    return { path: input, display: displayAs ?? STDIN_DISPLAY, file, bytes };
  }
  const display = displayAs ?? input;
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch (e) {
    throw fsError(e, display);
  }
  if (st.isDirectory())
    throw new UserError('is a directory, not a CSV file', {
      location: { file: display },
      hint: 'Give the path of a .csv file inside it',
    });
  if (!st.isFile() && !st.isFIFO() && !st.isCharacterDevice())
    throw new UserError('is not a regular file', { location: { file: display }, hint: 'Give the path of a CSV file' });
  if (!st.isFile()) {
    // A named pipe or device (e.g. /dev/stdin, <(...)): spool it like stdin.
    const file = await spoolToTemp(fs.createReadStream(input));
    const bytes = fs.statSync(file).size;
    if (bytes === 0) throw emptyFile(display);
    return { path: input, display, file, bytes };
  }
  try {
    fs.accessSync(input, fs.constants.R_OK);
  } catch (e) {
    throw fsError(e, display);
  }
  if (st.size === 0) throw emptyFile(display);
  return { path: input, display, file: input, bytes: st.size };
}

function emptyFile(display: string): UserError {
  return new UserError('file is empty (0 bytes)', {
    location: { file: display },
    hint: 'Export the data again; a CSV export has at least a header line',
  });
}

export function fsError(e: unknown, display: string): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new UserError('no such file', {
      location: { file: display },
      hint: 'Check the spelling of the path and the current directory',
    });
  if (code === 'EACCES' || code === 'EPERM')
    return new UserError('permission denied', { location: { file: display }, hint: 'Make the file readable or copy it somewhere you can read' });
  if (code === 'ENOTDIR')
    return new UserError('no such file (a part of the path is not a directory)', { location: { file: display }, hint: 'Check the path' });
  if (code === 'EISDIR')
    return new UserError('is a directory, not a CSV file', { location: { file: display }, hint: 'Give the path of a .csv file inside it' });
  return new UserError(`cannot read the file (${code ?? String(e)})`, { location: { file: display }, hint: 'Check the path and permissions' });
}
