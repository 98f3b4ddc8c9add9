/**
 * A report's inputs: the files its config lists (globs expanded, each checked to exist),
 * the guard that keeps the output folder away from them, and the dataset opened with the
 * columns the sections and filters need read as groups.
 */
import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Io } from '../../io/process.js';
import { UserError } from '../../errors.js';
import { openDataset, type OpenOptions } from '../../dataset/open.js';
import type { Dataset, ReadOptions } from '../../dataset/types.js';
import { expandGlob, type SectionCheck } from './config.js';

/** Inputs: globs expanded, each checked to exist; paths relative to the config folder. */
export function resolveInputs(ctx: SectionCheck, configDir: string): { abs: string[]; rel: string[] } {
  const cfg = ctx.config;
  const loc = { file: cfg.path, line: cfg.lines.files };
  if (cfg.files.length === 0)
    throw new UserError('the report config lists no input files', {
      location: { file: cfg.path },
      hint: "Add files: [export.csv] (relative to the config file's folder; * and ? globs allowed)",
    });
  const abs: string[] = [];
  for (const f of cfg.files) {
    if (f === '-') throw new UserError('a report cannot read standard input', { location: loc, hint: 'List files under files:' });
    const matches = expandGlob(f);
    const shown = path.relative(configDir, f) || f;
    if (matches.length === 0)
      throw new UserError(`no file matches '${shown}'`, { location: loc, hint: "Paths and globs resolve against the config file's folder" });
    for (const m of matches) {
      let kind: 'file' | 'missing' | 'other' = 'missing';
      try {
        kind = statSync(m).isFile() ? 'file' : 'other';
      } catch {
        kind = 'missing';
      }
      const name = path.relative(configDir, m) || m;
      if (kind === 'other')
        throw new UserError(`input '${name}' is not a regular file (a device, pipe or folder)`, {
          location: loc,
          hint: 'A report reads CSV files; list files under files:',
        });
      if (kind === 'missing') throw new UserError(`input file '${name}' not found`, { location: loc, hint: "Paths resolve against the config file's folder" });
      if (!abs.includes(m)) abs.push(m);
    }
  }
  return { abs, rel: abs.map((a) => path.relative(configDir, a).split(path.sep).join('/')) };
}

/** Real path when it exists (symlinks resolved), else the absolute path. */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The output folder replaces whatever is at its path (with --force), so it must not be,
 * or hold, the config or an input file: that would delete the user's data.
 */
export function guardOutput(outDir: string, outShown: string, sources: string[], configDir: string): void {
  const out = real(outDir);
  for (const src of sources) {
    const s = real(src);
    const rel = path.relative(out, s);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      throw new UserError(`the output folder ${rel === '' ? 'is' : 'holds'} '${path.relative(configDir, src) || src}', a file this report reads`, {
        location: { file: outShown },
        hint: 'Choose an output folder outside the folders that hold the config and the input files (it is replaced as a whole)',
      });
    }
  }
}

/**
 * Opens the inputs, reading every column in `needed` (a section's by column, the filter
 * column; each with the config key it came from, for errors at the right line) as a
 * group. A column the mapping does not already take is checked against every file's
 * header and added to the read options, and the files are opened again with it.
 */
export async function openInputs(
  files: string[],
  base: ReadOptions,
  io: Io,
  needed: [col: string, key: string][],
  keyAt: (key: string) => { file: string; line: number | undefined },
  open: OpenOptions = {},
): Promise<{ dataset: Dataset; read: ReadOptions }> {
  let read: ReadOptions = base;
  let dataset = await openDataset(files, read, io, open);
  const missingGroups: string[] = [];
  for (const [col, key] of needed) {
    const lc = col.toLowerCase();
    const m = dataset.mapping;
    if (lc === 'therapist') {
      if (!m.therapist)
        throw new UserError(`${key}: therapist, but no therapist column was found`, { location: keyAt(key), hint: 'Name it with therapist: COLUMN' });
      continue;
    }
    if (m.therapist?.name.toLowerCase() === lc || m.groups.some((g) => g.name.toLowerCase() === lc)) continue;
    const inHeader = dataset.files.every((f) => f.header.some((h) => h.trim().toLowerCase() === lc));
    if (!inHeader) {
      const cols = dataset.files[0]?.header.map((h) => `'${h}'`).join(', ') ?? '';
      throw new UserError(`${key}: column '${col}' is not in the input`, { location: keyAt(key), hint: `Available columns: ${cols}` });
    }
    if (!missingGroups.includes(col)) missingGroups.push(col);
  }
  if (missingGroups.length > 0) {
    read = { ...base, groups: [...(base.groups ?? []), ...missingGroups] };
    dataset = await openDataset(files, read, io, open);
  }
  return { dataset, read };
}
