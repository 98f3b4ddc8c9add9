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

export interface Input {
  dataset: Dataset;
  /** The parsed --config file, or null. Commands read their own section from config.sections. */
  config: Config | null;
  /** The merged input options actually used. */
  read: ReadOptions;
}

/**
 * Long scans show a live row count on stderr when stderr is a terminal, and never in CI
 * logs (CI set) or when stderr is a file or pipe. One line, cleared when the scan ends.
 */
export function scanProgress(io: Io): ScanProgress | undefined {
  if (!io.stderrIsTTY || io.env.CI) return undefined;
  return {
    rows: (n) => io.stderr.write(`\ralliance: ${n.toLocaleString('en')} rows read`),
    end: () => io.stderr.write('\r\x1b[K'),
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
  const dataset = await openDataset(paths, read, io, { progress: progress ? scanProgress(io) : undefined });
  return { dataset, config, read };
}
