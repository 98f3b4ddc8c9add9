import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';

/** Which mapped column a `--by` names: a group column (by index) or the therapist column. */
export interface ByColumn {
  kind: 'therapist' | 'group' | null;
  /** Index into `ds.mapping.groups` when kind is 'group'; -1 otherwise. */
  groupIndex: number;
}

/**
 * Resolves `--by NAME` against the dataset's mapping (a group column first, then the therapist
 * column by its name or the word "therapist"); undefined gives no grouping. A name that is
 * neither is a UserError listing the columns that can be used.
 */
export function resolveByColumn(ds: Dataset, by: string | undefined): ByColumn {
  if (by === undefined) return { kind: null, groupIndex: -1 };
  const gi = ds.mapping.groups.findIndex((g) => g.name === by);
  if (gi >= 0) return { kind: 'group', groupIndex: gi };
  if (ds.mapping.therapist && (by === ds.mapping.therapist.name || by.toLowerCase() === 'therapist')) {
    return { kind: 'therapist', groupIndex: -1 };
  }
  const known = [ds.mapping.therapist?.name, ...ds.mapping.groups.map((g) => g.name)].filter(Boolean);
  throw new UserError(`--by ${by}: no such therapist or group column`, {
    hint: known.length > 0 ? `use one of: ${known.join(', ')}` : 'map it with --therapist COL or --group COL first',
  });
}
