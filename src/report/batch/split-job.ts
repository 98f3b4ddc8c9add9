/**
 * The worker's side of a report on two threads (./split.ts): opens the inputs as the
 * report's main thread did (./run.ts prepare, from the same config text, folder,
 * environment and time) and runs its sections as ./sections.ts runs them together: the
 * gate on every row, the others on the report's filtered data, all in one shared read.
 * Runs on a worker thread (src/cli/worker.ts).
 */
import { Readable } from 'node:stream';
import { parseConfig } from '../../config/load.js';
import { sharedScans } from '../../dataset/shared-scan.js';
import { UserError } from '../../errors.js';
import type { Io } from '../../io/process.js';
import { keyLines } from './config.js';
import { filteredDataset } from './filter.js';
import type { SplitJob, SplitReply } from './split.js';
import { prepare } from './run.js';

export async function runSplitJob(job: SplitJob): Promise<SplitReply> {
  try {
    const config = { ...parseConfig(job.text, job.display, job.dir), text: job.text };
    const sink = { write: () => true };
    const io: Io = { stdout: sink, stderr: sink, stdin: Readable.from([]), env: job.env, cwd: job.cwd, stdoutIsTTY: false, stderrIsTTY: false };
    const now = new Date(job.now);
    const opts = {
      version: '',
      reproducible: true,
      out: '',
      force: false,
      now,
      ...(job.failOn !== undefined ? { failOn: job.failOn } : {}),
      ...(job.period !== undefined ? { period: job.period } : {}),
    };
    const { planned, dataset, src, read, settings } = await prepare({ config, lines: keyLines(job.text) }, io, opts, false);
    const mine = job.sections.map((name) => {
      const p = planned.find((x) => x.section.name === name);
      if (!p) throw new Error(`internal: the report has no section ${name}`);
      return p;
    });
    const shared = sharedScans(dataset);
    const filtered = mine.some((p) => p.section.gate === undefined) ? (await filteredDataset(shared.dataset, settings, dataset)).dataset : shared.dataset;
    const runCtx = { io, now, read, config };
    const results = await Promise.all(
      mine.map(({ section, opts: o }) =>
        shared.join(async () => {
          const ds = section.gate !== undefined ? shared.dataset : filtered;
          section.check?.(ds, o, src);
          return section.run(ds, o, runCtx);
        }),
      ),
    );
    return { ok: true, results, digests: dataset.files.map((f) => f.digest) };
  } catch (e) {
    if (e instanceof UserError)
      return {
        ok: false,
        user: { message: e.message, location: e.location, hint: e.hint, exitCode: e.exitCode, code: e.code, key: e.key, column: e.column },
      };
    return { ok: false, internal: e instanceof Error ? e.message : String(e) };
  }
}
