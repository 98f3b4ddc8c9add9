/**
 * A report's sections on two threads (src/report/batch/split.ts; issue 15): a report some
 * of whose sections ran on the worker thread writes the very files of one that ran them
 * all in the main thread's shared read, the worker's errors reach the user as the same one
 * line, and an input whose bytes differ between the two reads stops the report. When the
 * worker is not used (failOn, `threads: 1`, one section) is decided before any work, and
 * the split balances the sections' costs. The worker runs the built bundle
 * (bin/worker.js; the tests' setup keeps it current). Behavioural, not timed: `npm run
 * bench` measures the report.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import type { FileContent } from '../../src/io/atomic.js';
import { runTask } from '../../src/io/parallel/pool.js';
import { checkSameBytes, splitElsewhere, splitSections, type SplitJob, type SplitReply } from '../../src/report/batch/split.js';
import { runSplitJob } from '../../src/report/batch/split-job.js';
import { runReport, sectionCheck, type ReportRunOptions } from '../../src/report/batch/run.js';
import { runSections } from '../../src/report/batch/sections.js';
import type { Dataset } from '../../src/dataset/types.js';
import { InputDigest } from '../../src/io/digest.js';
import { silentIo } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-gate-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const text = (data: FileContent): string => (typeof data === 'function' ? [...data()].join('') : data.toString());

/** A machine with two idle cores (the split looks at the load: tests run beside others). */
const idle = { cores: 2, load: 0 };

const base: ReportRunOptions = { version: '0', reproducible: true, out: 'out', force: false, now: new Date(0) };

/** The report of `config` (a file in `dir`) split as for 1M rows, and on one thread. */
async function both(dir: string, config: string) {
  const cfg = await loadConfig(config, dir);
  const run = (splitMinBytes: number) => runReport(sectionCheck(cfg, cfg.text!), silentIo(dir), { ...base, splitMinBytes, splitRows: 1e6, machine: idle });
  return { worker: await run(0), here: await run(Number.POSITIVE_INFINITY) };
}

function expectSameFiles(a: Map<string, FileContent>, b: Map<string, FileContent>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [name, data] of a) expect(text(data), name).toBe(text(b.get(name)!));
}

describe('a report on two threads', () => {
  it('the demo report (filters, by therapist, by site): the same files; validate and correlate ran on the worker', async () => {
    const { worker, here } = await both(path.join(ROOT, 'fixtures'), 'report.yaml');
    expect(worker.workerSections).toEqual(['validate', 'correlate']);
    expect(here.workerSections).toEqual([]);
    expectSameFiles(worker.files, here.files);
  });

  it('an input with validation errors, findings tables shown: the same files and exit code', async () => {
    const dir = mkdtempSync(path.join(tmp, 'mixed-'));
    copyFileSync(path.join(ROOT, 'fixtures/validate/mixed.csv'), path.join(dir, 'mixed.csv'));
    writeFileSync(
      path.join(dir, 'r.yaml'),
      'files: [mixed.csv]\ninstruments:\n  phq9: PHQ-9\nalliance: [srs]\noutcome: [phq9]\ntoday: 2025-01-01\nreport:\n  sections: [validate, describe, trend]\n  clientTables: true\n  formats: [md, json, csv]\n',
    );
    const { worker, here } = await both(dir, 'r.yaml');
    expect(worker.workerSections).toEqual(['validate', 'describe']);
    expect(worker.exitCode).toBe(1);
    expect(here.exitCode).toBe(1);
    expectSameFiles(worker.files, here.files);
    expect(text(worker.files.get('report.md')!)).toMatch(/duplicate/i);
  });

  it('is not used when validation may stop the report, with threads: 1, or for a report of one section', async () => {
    const dir = mkdtempSync(path.join(tmp, 'not-'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
    const cases: [string, string, string[]][] = [
      ['the same without what stops it', 'report:\n  sections: [validate, describe]\n', ['describe']],
      ['failOn error', 'report:\n  sections: [validate, describe]\n  failOn: error\n', []],
      ['threads: 1', 'threads: 1\nreport:\n  sections: [validate, describe]\n', []],
      ['validate alone', 'report:\n  sections: [validate]\n', []],
    ];
    for (const [name, yaml, want] of cases) {
      writeFileSync(path.join(dir, 'r.yaml'), `files: [demo.csv]\n${yaml}`);
      const cfg = await loadConfig('r.yaml', dir);
      const out = await runReport(sectionCheck(cfg, cfg.text!), silentIo(dir), { ...base, splitMinBytes: 0, splitRows: 1e6, machine: idle });
      expect(out.workerSections, name).toEqual(want);
    }
  });

  it('an error on the worker is the same one-line error the user sees without it', async () => {
    const dir = mkdtempSync(path.join(tmp, 'err-'));
    const job: SplitJob = { text: 'files: [gone.csv]\n', display: 'r.yaml', dir, cwd: dir, env: {}, now: new Date(0).toISOString(), sections: ['validate'] };
    const inProcess = await runSplitJob(job);
    const viaWorker = await runTask<SplitReply>('report-sections', job).reply;
    expect(viaWorker).toEqual(inProcess);
    expect(viaWorker.ok).toBe(false);
    if (viaWorker.ok) return;
    const u = new UserError(viaWorker.user!.message, viaWorker.user);
    expect(u.format()).toMatch(/^r\.yaml:\d+: .*gone\.csv/);
  });

  it('an input whose bytes differ between the two reads stops the report with one line', () => {
    const ds = { files: [{ display: 'data.csv', digest: { bytes: 10, sha256: 'a'.repeat(64) } }] } as unknown as Dataset;
    expect(() => checkSameBytes(ds, [{ bytes: 10, sha256: 'a'.repeat(64) }])).not.toThrow();
    let err: unknown = null;
    try {
      checkSameBytes(ds, [{ bytes: 10, sha256: 'b'.repeat(64) }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).format()).toMatch(/^data\.csv: the file changed while it was being read/);
  });

  it('readings hashed two ways are a program error, not a changed file', () => {
    const d = new InputDigest('data.csv', 'sha256');
    d.settle({ bytes: 10, sha256: 'a'.repeat(64) });
    expect(() => d.settle({ bytes: 10, crc32: '0000000a' })).toThrow(/^internal: data\.csv was hashed with SHA-256 in one reading and CRC-32 in another$/);
    const c = new InputDigest('data.csv');
    c.settle({ bytes: 10, crc32: '0000000a' });
    expect(() => c.settle({ bytes: 10, crc32: '0000000a' })).not.toThrow();
    expect(() => c.settle({ bytes: 10, sha256: 'a'.repeat(64) })).toThrow(/^internal:/);
  });

  it('not on one core, nor when every core is busy', async () => {
    const dir = mkdtempSync(path.join(tmp, 'busy-'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
    writeFileSync(path.join(dir, 'r.yaml'), 'files: [demo.csv]\nreport:\n  sections: [validate, describe]\n');
    const cfg = await loadConfig('r.yaml', dir);
    const on = async (machine: { cores: number; load: number }) =>
      (await runReport(sectionCheck(cfg, cfg.text!), silentIo(dir), { ...base, splitMinBytes: 0, splitRows: 1e6, machine })).workerSections;
    expect(await on({ cores: 2, load: 1.9 })).toEqual(['describe']);
    expect(await on({ cores: 2, load: 2 })).toEqual([]);
    // Asked for: whatever the load.
    writeFileSync(path.join(dir, 'r.yaml'), 'files: [demo.csv]\nthreads: 2\nreport:\n  sections: [validate, describe]\n');
    const asked = await loadConfig('r.yaml', dir);
    const out = await runReport(sectionCheck(asked, asked.text!), silentIo(dir), { ...base, splitMinBytes: 0, splitRows: 1e6, machine: { cores: 2, load: 2 } });
    expect(out.workerSections).toEqual(['describe']);
    expect(await on({ cores: 1, load: 0 })).toEqual([]);
  });

  it('not when an input is a named pipe (it was read once, as a copy)', () => {
    const dir = mkdtempSync(path.join(tmp, 'fifo-'));
    const fifo = path.join(dir, 'in.csv');
    execFileSync('mkfifo', [fifo]);
    const plain = path.join(dir, 'plain.csv');
    writeFileSync(plain, 'client,session\n');
    const section = (name: string) => ({ section: { name, readCost: { seconds: 0.2, portable: true } } });
    const prepared = (abs: string) => ({
      planned: [section('validate'), section('describe')],
      failOn: 'none',
      dataset: { files: [{ path: abs, display: 'in.csv', bytes: 1e9, format: 'CSV', digest: null }] } as unknown as Dataset,
      read: {},
      inputs: { abs: [abs] },
    });
    const ctx = (file: string) =>
      ({ config: { path: 'r.yaml', text: `files: [${path.basename(file)}]\n` }, lines: {} }) as unknown as Parameters<typeof splitElsewhere>[0];
    const opts = { now: new Date(0), machine: idle };
    expect(splitElsewhere(ctx(fifo), silentIo(dir), opts, prepared(fifo))).toBeNull();
    const control = splitElsewhere(ctx(plain), silentIo(dir), opts, prepared(plain));
    expect(control).not.toBeNull();
    control!.stop();
  });

  it('makes every document after every run: a section from the worker may end before this thread has counted the rows', async () => {
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const ds = { files: [] } as unknown as Dataset;
    const fake = (name: string, run: () => Promise<unknown>) => ({
      section: {
        name,
        run,
        document: () => {
          log.push(`document ${name}`);
          return { json: {} };
        },
      },
      opts: {},
    });
    const here = fake('here', async () => {
      await held;
      log.push('run here ended');
      return 1;
    });
    const away = fake('away', () => Promise.resolve(2));
    const shared = { dataset: ds, join: <T>(body: () => Promise<T>) => body() };
    const elsewhere = { results: new Map([['away', Promise.resolve(2)]]), digests: Promise.resolve([]), stop: () => undefined };
    const runs = runSections(
      [away, here] as unknown as Parameters<typeof runSections>[0],
      shared,
      ds,
      {} as never,
      {} as never,
      {} as never,
      'none',
      undefined,
      elsewhere,
    );
    await new Promise((r) => setTimeout(r, 20));
    log.push('released');
    release();
    const out = await runs;
    expect(out.sections.map((s) => s.result)).toEqual([2, 1]);
    expect(log).toEqual(['released', 'run here ended', 'document away', 'document here']);
  });

  it('splits to balance the threads: the longer one shortest, the main thread keeping a section', () => {
    const s = (name: string, seconds: number, portable = true) => ({ name, seconds, portable });
    const four = [s('validate', 0.19), s('describe', 0.1), s('correlate', 0.15), s('trend', 0.28, false)];
    expect(splitSections(four, 1e6)).toEqual(['validate', 'correlate']);
    // Small inputs: the worker's start costs more than it saves.
    expect(splitSections(four, 1e4)).toEqual([]);
    // Never everything: the main thread keeps one.
    expect(splitSections([s('a', 1), s('b', 1)], 1e6)).toHaveLength(1);
    // Nothing movable, nothing moved.
    expect(splitSections([s('a', 1, false), s('b', 1, false)], 1e6)).toEqual([]);
  });
});
