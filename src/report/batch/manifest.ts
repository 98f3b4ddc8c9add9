/**
 * manifest.json, the report's last file: the tool, the config as resolved (the options each
 * section ran with), every input's size, rows and SHA-256, the options and the exit code,
 * and the list of outputs.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../errors.js';
import type { Config } from '../../config/load.js';
import type { Dataset, ReadOptions } from '../../dataset/types.js';
import { SECTIONS } from '../../sections/registry.js';
import type { ReportSettings } from './config.js';
import type { Planned } from './sections.js';

/**
 * SHA-256 and size of an input for the manifest. The bytes hashed must be as many as the
 * analysis read (its size when opened; the reader checks that each pass read exactly that):
 * otherwise the file changed during the run and the manifest would describe another version.
 * A file removed meanwhile is a one-line error.
 */
async function checksum(file: string, shown: string, analysedBytes: number | undefined): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      h.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'the file was removed or renamed during the report' : `cannot read the file again for its checksum (${code ?? String(e)})`, {
      location: { file: shown },
      hint: 'Run again once nothing else is changing the inputs',
    });
  }
  if (analysedBytes !== undefined && bytes !== analysedBytes)
    throw new UserError(`the file changed during the report (${analysedBytes.toLocaleString('en')} bytes analysed, ${bytes.toLocaleString('en')} now)`, {
      location: { file: shown },
      hint: 'Run again once nothing else is writing the inputs (or copy them first)',
    });
  return { sha256: h.digest('hex'), bytes };
}

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

/** The text of manifest.json (the inputs are read again for their checksums). */
export async function manifestJson(x: ManifestParts): Promise<string> {
  const { config, configDir, planned, inputs, dataset } = x;
  const inputsInfo = [];
  for (let i = 0; i < inputs.abs.length; i++) {
    const info = dataset.files[i];
    const h = await checksum(inputs.abs[i], inputs.rel[i], info?.bytes);
    inputsInfo.push({ path: inputs.rel[i], bytes: h.bytes, rows: info?.rows ?? null, sha256: h.sha256 });
  }
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
  return JSON.stringify(manifest, null, 2) + '\n';
}
