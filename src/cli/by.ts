/**
 * The --by column of `alliance correlate` and `alliance trend`: it must be read, so it is
 * added to the grouping columns (unless it is the therapist) when the input is opened,
 * and an error about it names --by (or the config key), not --group.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { Io } from '../io/process.js';
import type { Dataset } from '../dataset/types.js';
import { loadInput, type Input } from './input.js';

/** The grouping columns to add for a --by column: none for the therapist. */
export function byGroups(by: string | null | undefined): string[] {
  return by && by.toLowerCase() !== 'therapist' ? [by] : [];
}

/**
 * loadInput with the --by column added to the grouping columns (after --group and the
 * config's groups). When the column is in no file's header, the error names `origin`
 * ('--by', or the config key such as 'correlate.by in c.yaml') instead of --group, unless
 * the user also named it with --group / groups:.
 */
export async function loadInputWithBy(
  files: string[],
  flags: object,
  cmd: Command,
  io: Io,
  by: string | null | undefined,
  origin = '--by',
): Promise<Input> {
  try {
    return await loadInput(files, flags, cmd, io, { extraGroups: byGroups(by) });
  } catch (e) {
    if (by && e instanceof UserError && e.message === `column '${by}' (from --group) is not in the header` && !namedAsGroup(flags, by)) {
      throw new UserError(`column '${by}' (from ${origin}) is not in the header`, { location: e.location, hint: e.hint, exitCode: e.exitCode });
    }
    throw e;
  }
}

/** Whether the user named the column with --group themselves (then --group is the right name in the error). */
function namedAsGroup(flags: object, by: string): boolean {
  const f = flags as { group?: unknown; groups?: unknown };
  const given = [f.group, f.groups].flatMap((v) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []));
  return given.some((g) => String(g).toLowerCase() === by.toLowerCase());
}

/** Whether the opened dataset can already read the `by` column (a group column, or the therapist). */
export function byIsMapped(dataset: Dataset, by: string): boolean {
  const b = by.toLowerCase();
  const m = dataset.mapping;
  return b === 'therapist' || m.therapist?.name.toLowerCase() === b || m.groups.some((g) => g.name.toLowerCase() === b);
}
