/**
 * How the terminal output looks, decided once per run.
 *
 * Colour, in this order:
 *   --color / --no-color  >  FORCE_COLOR  >  NO_COLOR  >  stdout is a TTY.
 * chalk 5 on its own ignores NO_COLOR, so we build a chalk instance with an explicit level,
 * and the boxed tables (src/report/box.ts) are painted only when colour is on.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Io } from '../io/process.js';
import { UserError } from '../errors.js';

export function decideColor(flag: boolean | undefined, io: Pick<Io, 'env' | 'stdoutIsTTY'>): boolean {
  if (flag !== undefined) return flag;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.stdoutIsTTY;
}

export function makeChalk(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

/**
 * The most characters a line of table output may have, in this order: --width N (0 = no
 * limit) > COLUMNS (a positive integer) > the terminal's width when stdout is a terminal >
 * no limit (a pipe or a file gets the full table, as before; `--width 80` asks for 80).
 */
export function decideWidth(flag: unknown, io: Pick<Io, 'env' | 'stdoutIsTTY' | 'stdoutColumns'>): number | undefined {
  if (flag !== undefined) {
    const s = typeof flag === 'string' ? flag.trim() : typeof flag === 'number' ? String(flag) : '';
    if (!/^\d+$/.test(s))
      throw new UserError(`--width must be a whole number of columns (got '${s}')`, {
        key: '--width',
        hint: 'For example --width 80, or --width 0 for no limit',
      });
    const n = Number(s);
    return n === 0 ? undefined : n;
  }
  const env = io.env.COLUMNS?.trim();
  if (env !== undefined && /^\d+$/.test(env) && Number(env) > 0) return Number(env);
  if (io.stdoutIsTTY) {
    const cols = io.stdoutColumns?.();
    if (cols !== undefined && cols > 0) return cols;
  }
  return undefined;
}

/**
 * Colour and width of a document written to standard output or, with --out, to a file:
 * colour and the terminal's width only on a terminal (or when asked for), never into a
 * file, whose width is only what --width asks for.
 */
export function decideLook(
  flags: { color?: boolean; width?: unknown },
  io: Pick<Io, 'env' | 'stdoutIsTTY' | 'stdoutColumns'>,
  intoFile: boolean,
): { color: boolean; width: number | undefined } {
  if (!intoFile) return { color: decideColor(flags.color, io), width: decideWidth(flags.width, io) };
  return {
    color: flags.color === true,
    width: flags.width === undefined ? undefined : decideWidth(flags.width, { ...io, env: {}, stdoutIsTTY: false }),
  };
}
