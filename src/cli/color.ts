/**
 * Colour is decided once per run, in this order:
 *   --color / --no-color  >  FORCE_COLOR  >  NO_COLOR  >  stdout is a TTY.
 * chalk 5 on its own ignores NO_COLOR, so we build a chalk instance with an explicit level,
 * and tables get an empty cli-table3 `style` when colour is off (it emits ANSI otherwise).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Io } from '../io/process.js';

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
