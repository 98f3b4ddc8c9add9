/**
 * Columns a section must read as grouping columns (e.g. the --by column of `alliance
 * correlate` and `alliance trend`): they are added to the grouping columns (unless it is
 * the therapist) when the input is opened, and an error about one names the option that
 * asked for it (--by, or the config key such as 'correlate.by in c.yaml'), not --group.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { Config } from '../config/load.js';
import type { Io } from '../io/process.js';
import { loadInput, type Input } from './input.js';

/** A column to read as a group, and how to name the option that asked for it. */
export interface NeededGroup {
  column: string;
  /** '--by', or 'correlate.by in c.yaml'. */
  origin: string;
}

/** The grouping columns to add for a --by column: none for the therapist. */
export function byGroups(by: string | null | undefined): string[] {
  return by && by.toLowerCase() !== 'therapist' ? [by] : [];
}

/**
 * loadInput with the needed columns added to the grouping columns (after --group and the
 * config's groups). When one is in no file's header, the error names its origin instead
 * of --group, unless the user also named it with --group / groups:.
 */
export async function loadInputWithGroups(files: string[], flags: object, cmd: Command, io: Io, needed: NeededGroup[], config: Config | null): Promise<Input> {
  const extraGroups = needed.flatMap((n) => byGroups(n.column));
  try {
    return await loadInput(files, flags, cmd, io, { extraGroups, config });
  } catch (e) {
    if (e instanceof UserError && e.code === 'unknown-column' && e.key === '--group') {
      const n = needed.find((x) => x.column.toLowerCase() === String(e.column ?? '').toLowerCase());
      if (n && !namedAsGroup(flags, n.column)) {
        throw new UserError(`column '${n.column}' (from ${n.origin}) is not in the header`, {
          location: e.location,
          hint: e.hint,
          exitCode: e.exitCode,
          code: e.code,
          key: n.origin,
        });
      }
    }
    throw e;
  }
}

/** Whether the user named the column with --group themselves (then --group is the right name in the error). */
function namedAsGroup(flags: object, by: string): boolean {
  const f = flags as { group?: unknown; groups?: unknown };
  const given = [f.group, f.groups].flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : typeof v === 'string' ? [v] : []));
  return given.some((g) => (typeof g === 'string' || typeof g === 'number') && String(g).toLowerCase() === by.toLowerCase());
}
