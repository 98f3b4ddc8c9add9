/**
 * The input step every data command shares: read --config (if given), merge it with the
 * flags (explicit flags win), take the files from the arguments or the config, and open
 * the dataset.
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { configFiles, loadConfig, mergeReadOptions, type Config } from '../config/load.js';
import { openDataset } from '../dataset/open.js';
import type { Dataset, ReadOptions, ScanProgress } from '../dataset/types.js';
import type { Io } from '../io/process.js';
import { explicitOptions } from './options.js';
import { progressBar, progressWanted, type ProgressBar } from './progress.js';

export interface Input {
  dataset: Dataset;
  /** The parsed --config file, or null. Commands read their own section from config.sections. */
  config: Config | null;
  /** The merged input options actually used. */
  read: ReadOptions;
}

/**
 * Progress of long scans on stderr, only on a terminal outside CI unless --progress or
 * --no-progress says otherwise (`forced`): a bar with the share of the inputs' bytes read
 * and the time left, or, when standard input is among the inputs (`stdin`; its size is
 * not the user's file's), a live row count. One line, cleared when each scan ends; never
 * on standard output, so --format json output is the same with or without it. A command
 * that reads the input again (correlate's second pass for scattered clients, a report's
 * filters and sections) labels each later read: `alliance correlate, read 2 [###---]`,
 * so a bar that starts again from 0% says why (how many reads a command makes is known
 * only as it goes, so there is no single bar over all of them).
 */
export function scanProgress(
  io: Io,
  label = 'alliance',
  { forced, stdin = false, now = Date.now }: { forced?: boolean; stdin?: boolean; now?: () => number } = {},
): ScanProgress | undefined {
  if (!progressWanted(io, forced)) return undefined;
  let bar: ProgressBar | null = null;
  let counted = false;
  // Reads shown so far: the first is labelled `label`, later ones `label, read N`.
  let reads = 0;
  const labelled = () => (reads > 1 ? `${label}, read ${reads}` : label);
  return {
    rows: (n) => {
      if (!stdin) return;
      if (!counted) reads++;
      counted = true;
      io.stderr.write(`\r\x1b[K${labelled()}: ${n.toLocaleString('en')} rows read`);
    },
    ...(stdin
      ? {}
      : {
          bytes: (read: number, total: number) => {
            if (!bar) {
              reads++;
              bar = progressBar(io, labelled(), now, true);
            }
            bar?.update(total > 0 ? read / total : 1);
          },
        }),
    end: () => {
      bar?.end();
      bar = null;
      if (counted) io.stderr.write('\r\x1b[K');
      counted = false;
    },
  };
}

export async function loadInput(
  files: string[],
  opts: object,
  cmd: Command,
  io: Io,
  {
    progress = true,
    extraGroups = [],
    config: loaded,
  }: {
    progress?: boolean;
    extraGroups?: string[];
    /** The --config file when the caller has read it already (null: none given). */
    config?: Config | null;
  } = {},
): Promise<Input> {
  const flags = opts as Record<string, unknown>;
  const configPath = typeof flags.config === 'string' ? flags.config : undefined;
  const config = loaded !== undefined ? loaded : configPath ? await loadConfig(configPath, io.cwd) : null;
  const read = mergeReadOptions(config, flags, explicitOptions(cmd));
  // Columns a command must read as groups (e.g. its --by column), whatever --group or the config says.
  for (const g of extraGroups) {
    const groups = read.groups ?? [];
    if (!groups.some((x) => x.toLowerCase() === g.toLowerCase())) {
      read.groups = [...groups, g];
      read.byGroups = [...(read.byGroups ?? []), g];
    }
  }
  const paths = files.length > 0 ? files : configFiles(config, io.cwd);
  if (paths.length === 0) {
    throw new UserError('no input file given', {
      hint: configPath
        ? `Give CSV exports as arguments or list them under 'files:' in ${configPath}`
        : 'Give one or more CSV exports as arguments (or - for standard input)',
    });
  }
  const forced = cmd.opts<{ progress?: boolean }>().progress;
  const live = progress ? scanProgress(io, `alliance ${cmd.name()}`, { forced, stdin: paths.includes('-') }) : undefined;
  const dataset = await openDataset(paths, read, io, { progress: live });
  return { dataset, config, read };
}
