/**
 * The gate's worker side (./gate.ts): opens the inputs as the report's main thread did
 * (./run.ts prepare, from the same config text, folder, environment and time) and runs
 * the gate section on them. Runs on a worker thread (src/cli/worker.ts).
 */
import { Readable } from 'node:stream';
import { parseConfig } from '../../config/load.js';
import { UserError } from '../../errors.js';
import type { Io } from '../../io/process.js';
import { keyLines } from './config.js';
import type { GateJob, GateReply } from './gate.js';
import { prepare } from './run.js';

export async function runGateJob(job: GateJob): Promise<GateReply> {
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
    const { planned, dataset, src, read } = await prepare({ config, lines: keyLines(job.text) }, io, opts, false);
    const gate = planned.find((p) => p.section.gate !== undefined);
    if (!gate) throw new Error('internal: the report has no gate section');
    gate.section.check?.(dataset, gate.opts, src);
    const result = await gate.section.run(dataset, gate.opts, { io, now, read, config });
    return { ok: true, result, digests: dataset.files.map((f) => f.digest) };
  } catch (e) {
    if (e instanceof UserError)
      return {
        ok: false,
        user: { message: e.message, location: e.location, hint: e.hint, exitCode: e.exitCode, code: e.code, key: e.key, column: e.column },
      };
    return { ok: false, internal: e instanceof Error ? e.message : String(e) };
  }
}
