/**
 * manifest.json, the report's last file: the tool, the config as resolved (the options each
 * section ran with), every input's size, rows and SHA-256 (of the bytes read), the options and the exit code,
 * and the list of outputs.
 */
import * as path from 'node:path';
import { jsonSafe } from '../../io/text-safety.js';
import type { Config } from '../../config/load.js';
import type { Dataset, ReadOptions } from '../../dataset/types.js';
import { SECTIONS } from '../../sections/registry.js';
import type { ReportSettings } from './config.js';
import type { Planned } from './sections.js';

export interface ManifestParts {
  version: string;
  /** Leave the time of the run and the Node version out. */
  reproducible: boolean;
  /** --reproducible as given (recorded under options). */
  reproducibleFlag: boolean;
  now: Date;
  force: boolean;
  failOn: string;
  exitCode: number;
  config: Config;
  configDir: string;
  read: ReadOptions;
  settings: ReportSettings;
  planned: Planned[];
  inputs: { abs: string[]; rel: string[] };
  dataset: Dataset;
  /** The names of the other output files. */
  outputs: string[];
}

/**
 * The text of manifest.json. Each input's size and SHA-256 are those of the bytes the
 * analysis read, hashed as they were read (src/io/digest.ts), never of a second reading; a
 * report whose sections left an input unread whole reads it once more here.
 */
export async function manifestJson(x: ManifestParts): Promise<string> {
  const { config, configDir, planned, inputs, dataset } = x;
  if (dataset.files.some((f) => f.digest === null)) await dataset.scan(() => undefined, { need: { date: false, therapist: false, groups: false } });
  const inputsInfo = dataset.files.map((info, i) => {
    if (info.digest?.sha256 === undefined) throw new Error(`internal: input ${inputs.rel[i]} was read without a SHA-256 digest`);
    return { path: inputs.rel[i], bytes: info.digest.bytes, rows: info.rows, sha256: info.digest.sha256 };
  });
  const reproducible = x.reproducible;
  // The options each section ran with (null: not run); a section without options is left out.
  const resolved: Record<string, unknown> = {};
  for (const s of SECTIONS) {
    const p = planned.find((y) => y.section === s);
    if (s.keys.length === 0) continue;
    resolved[s.name] = p ? (s.resolved ? s.resolved(p.opts, configDir) : p.opts) : null;
  }
  const manifest: Record<string, unknown> = {
    tool: { name: 'alliance-outcome', version: x.version, node: reproducible ? undefined : process.version },
    ...(reproducible ? {} : { generated_at: x.now.toISOString() }),
    config: {
      // Paths are recorded relative to the config file (inputs) or by name (the config),
      // never as absolute paths and never the output folder: a manifest handed on does not
      // reveal the user's directory layout, and reruns into another folder are identical.
      path: path.basename(config.path),
      read: { ...x.read, origin: undefined },
      files: inputs.rel,
      sections: config.sections,
      report: { ...x.settings, out: undefined },
      resolved,
    },
    inputs: inputsInfo,
    options: { force: x.force, reproducible: x.reproducibleFlag, fail_on: x.failOn },
    exit_code: x.exitCode,
    outputs: [...x.outputs, 'manifest.json'].sort(),
  };
  return jsonSafe(JSON.stringify(manifest, null, 2)) + '\n';
}
