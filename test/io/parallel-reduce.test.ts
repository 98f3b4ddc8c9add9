/**
 * Range reduction (src/io/parallel/reduce.ts, src/dataset/range-runs.ts): the read's workers
 * interpret the rows and reduce each client's run for correlate, describe and trend, and the
 * main thread merges the runs in file order. Differential: for random session files (clients
 * spread over pieces, scattered clients, quoted and multi-line cells, CRLF, padded and
 * missing ids, an id shown as a pseudonym, missing cells, bad numbers, out-of-range
 * values, ragged rows, blank sessions, an unclosed quote, invalid UTF-8, `;` and decimal
 * commas, a BOM, --missing tokens) and any split (1 to 3 workers, tiny pieces, in workers or inline, the main thread reducing none, some or all of the pieces), every
 * command prints exactly what it prints on one thread. The size threshold is set to 0 here
 * so small files take the parallel path.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setReadTuning } from '../../src/io/csv.js';
import { openDataset } from '../../src/dataset/open.js';
import { silentIo } from '../helpers/cli.js';
import { runInProcess } from '../helpers/cli.js';
import { compiledUrl } from '../../src/io/parallel/reduce.js';
import { AUTO_THREADS_BYTES, defaultThreads } from '../../src/io/parallel/pool.js';
import { startPiece as describeStart } from '../../src/analysis/describe-range.js';
import { correlateReduction } from '../../src/analysis/correlate/range.js';
import { Accumulator } from '../../src/analysis/correlate/accumulate.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-reduce-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => setReadTuning({}));
let n = 0;

const HEADER = 'client_id,therapist_id,session,date,srs,ors,note';

const cell = <T>(usual: fc.Arbitrary<T>, odd: T[]): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: usual, weight: 12 }, { arbitrary: fc.constantFrom(...odd), weight: 1 });

const blockArb = fc.record({
  client: cell(fc.constantFrom('C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'Ä8'), [' C1', '"C2"', 'NA', '', '"C 9"', 'ann@example.org']),
  therapist: cell(fc.constantFrom('T1', 'T2', 'T3'), ['"T1"', '', 'NA', ' T2']),
  rows: fc.array(
    fc.record({
      session: cell(fc.constant(''), ['', 'x', '2', '1', '"3"', '2.5', 'NA', '.']),
      date: cell(
        fc.integer({ min: 1, max: 28 }).map((d) => `2024-03-${String(d).padStart(2, '0')}`),
        ['', 'soon', '03/04/2024'],
      ),
      srs: cell(fc.integer({ min: 0, max: 40 }).map(String), ['', 'NA', '45', '-99', 'abc', '12.5', '"20"', ' 7']),
      ors: cell(
        fc.integer({ min: 0, max: 400 }).map((v) => (v / 10).toFixed(1)),
        ['', 'NA', '41.0', '-9', '3,5', '"10.0"'],
      ),
      note: cell(fc.constant(''), ['"a,b"', '"two\nlines"', '"x\r\ny"', '"say ""hi"""']),
      ragged: fc.constantFrom(false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, true),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

const fileArb = fc.record({
  blocks: fc.array(blockArb, { minLength: 1, maxLength: 30 }),
  crlf: fc.boolean(),
  trailing: fc.boolean(),
  /** `;`-separated with decimal commas, and a byte order mark. */
  semicolon: fc.boolean(),
  bom: fc.boolean(),
  /** A last record whose quote never closes (the read fails, naming its line), or invalid UTF-8. */
  broken: fc.constantFrom('', '', '', '', '', 'C1,T1,9,2024-03-01,3,4.0,"open\nrest', 'C2,T1,1,2024-03-01,3,\u0001,'),
});

type FileSpec = typeof fileArb extends fc.Arbitrary<infer T> ? T : never;

function build({ blocks, crlf, trailing, broken, semicolon, bom }: FileSpec): Uint8Array {
  const sep = semicolon ? ';' : ',';
  const lines = [HEADER.replaceAll(',', sep)];
  for (const b of blocks) {
    b.rows.forEach((r, i) => {
      const session = r.session === '' ? String(i + 1) : r.session;
      const ors = semicolon ? r.ors.replace('.', ',') : r.ors;
      const fields = [b.client, b.therapist, session, r.date, r.srs, ors, r.note];
      lines.push((r.ragged ? fields.slice(0, 5) : fields).join(sep));
    });
  }
  if (broken !== '') lines.push(semicolon ? broken.replaceAll(',', ';') : broken);
  const eol = crlf ? '\r\n' : '\n';
  const text = (bom ? '\ufeff' : '') + lines.join(eol) + (trailing ? eol : '');
  // \u0001 stands for a byte that is not UTF-8.
  return Buffer.from(text, 'utf8').map((b) => (b === 1 ? 0xff : b));
}

const COMMANDS: string[][] = [
  ['correlate', '--alliance', 'srs', '--outcome', 'ors'],
  ['correlate', '--alliance', 'srs', '--outcome', 'ors', '--bootstrap', '30', '--seed', '3'],
  ['correlate', '--alliance', 'srs', '--outcome', 'ors', '--by', 'therapist_id'],
  ['correlate', '--alliance', 'srs', '--outcome', 'ors', '--method', 'both'],
  ['describe'],
  ['describe', '--missing', 'abc'],
  ['correlate', '--alliance', 'srs', '--outcome', 'ors', '--missing', '-99'],
  ['trend', '--ntp-min-clients', '2'],
  ['trend', '--period', 'month', '--clients', '--ntp-min-clients', '2'],
];

describe('commands on several threads with reduced client runs', () => {
  it('print exactly the one-thread output for any file and any split', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileArb,
        fc.integer({ min: 16, max: 400 }),
        // 1: correlate reduces its own pieces on one thread (RangeReduction.oneThread).
        fc.constantFrom(1, 2, 3, 4),
        fc.boolean(),
        fc.constantFrom(...COMMANDS),
        fc.constantFrom(0, 1, 2, 1000),
        async (spec, chunkSize, threads, inlineScan, command, helpAfter) => {
          const file = path.join(dir, `f${n++}.csv`);
          fs.writeFileSync(file, build(spec));
          const args = [...command, file, '--format', 'json'];
          setReadTuning({});
          const one = await runInProcess([...args, '--threads', '1']);
          setReadTuning({ chunkSize, parallelMinBytes: 0, inlineScan, helpAfter });
          const many = await runInProcess([...args, '--threads', String(threads)]);
          expect(many.stderr).toBe(one.stderr);
          expect(many.stdout).toBe(one.stdout);
          expect(many.code).toBe(one.code);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a file of clean runs: the same output, and the workers did reduce runs', async () => {
    const rows = [HEADER];
    for (let c = 0; c < 300; c++) {
      for (let s = 1; s <= 1 + (c % 7); s++) {
        const srs = (c * 7 + s * 3) % 41;
        const ors = ((c * 13 + s * 29) % 400) / 10;
        rows.push(`K${c % 250},T${c % 4},${s},2024-0${1 + (s % 9)}-1${c % 10},${s % 5 === 0 ? '' : srs},${ors.toFixed(1)},`);
      }
    }
    const file = path.join(dir, 'clean.csv');
    fs.writeFileSync(file, rows.join('\r\n') + '\r\n');
    for (const command of COMMANDS) {
      const args = [...command, file, '--format', 'json'];
      const one = await runInProcess([...args, '--threads', '1']);
      expect(one.code, one.stderr).toBe(0);
      setReadTuning({ chunkSize: 2048, parallelMinBytes: 0 });
      const two = await runInProcess([...args, '--threads', '3']);
      setReadTuning({});
      expect(two.stdout).toBe(one.stdout);
      expect(two.stderr).toBe(one.stderr);
    }
    // The rows reach the command either one by one or as reduced runs; here most are runs.
    setReadTuning({ chunkSize: 2048, parallelMinBytes: 0 });
    const ds = await openDataset([file], { threads: 2 }, silentIo(process.cwd()));
    let single = 0;
    let runs = 0;
    let inRuns = 0;
    const stats = await ds.scan(() => single++, {
      reduce: {
        module: compiledUrl(new URL('../../src/analysis/describe-range.ts', import.meta.url).href, './describe-range.js'),
        command: { M: ds.mapping.measures.length },
        onRun: (_client, count) => {
          runs++;
          inRuns += count;
        },
      },
    });
    expect(stats.rows).toBe(rows.length - 1);
    expect(single + inRuns).toBe(rows.length - 1);
    expect(runs).toBeGreaterThan(100);
    expect(inRuns).toBeGreaterThan(single);
  });
});

describe('the default thread count', () => {
  it('is more than one for a read that reduces a large input on a machine with a core to spare, else one', () => {
    const idle = { cores: 2, load: 0.3 };
    expect(defaultThreads(AUTO_THREADS_BYTES, true, idle)).toBe(2);
    expect(defaultThreads(AUTO_THREADS_BYTES, true, { cores: 2, load: 1.3 })).toBe(2);
    expect(defaultThreads(AUTO_THREADS_BYTES, true, { cores: 2, load: 1.99 })).toBe(2);
    expect(defaultThreads(AUTO_THREADS_BYTES, true, { cores: 2, load: 2 })).toBe(1);
    expect(defaultThreads(AUTO_THREADS_BYTES, true, { cores: 1, load: 0 })).toBe(1);
    expect(defaultThreads(AUTO_THREADS_BYTES, true, { cores: 8, load: 7.5 })).toBe(2);
    expect(defaultThreads(AUTO_THREADS_BYTES, true, { cores: 8, load: 9 })).toBe(1);
    expect(defaultThreads(AUTO_THREADS_BYTES, true, { cores: 16, load: 0 })).toBe(2);
    expect(defaultThreads(AUTO_THREADS_BYTES - 1, true, idle)).toBe(1);
    expect(defaultThreads(AUTO_THREADS_BYTES, false, idle)).toBe(1);
    expect(defaultThreads(10, true, idle, 10)).toBe(2);
  });

  it('reads a large input with workers on an idle machine, unless --threads 1 says one', async () => {
    const rows = [HEADER];
    for (let c = 0; c < 200; c++) for (let s = 1; s <= 4; s++) rows.push(`K${c},T${c % 3},${s},2024-01-0${s},${(c + s) % 41},${((c * s) % 400) / 10},`);
    const file = path.join(dir, 'default.csv');
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const idle = { cores: 2, load: 0 };
    const runsWith = async (options: { threads?: number }, machine = idle, shared = true): Promise<number> => {
      setReadTuning({ chunkSize: 2048, parallelMinBytes: 0, autoThreadsBytes: 0, machine });
      const ds = await openDataset([file], options, silentIo(process.cwd()));
      let runs = 0;
      await ds.scan(() => undefined, {
        reduce: {
          module: compiledUrl(new URL('../../src/analysis/describe-range.ts', import.meta.url).href, './describe-range.js'),
          ...(shared ? { start: describeStart } : {}),
          command: { M: ds.mapping.measures.length },
          onRun: () => runs++,
        },
      });
      return runs;
    };
    // Runs are reduced only on a parallel read: by default on an idle machine, not on a busy
    // one, never with one thread, and with two when asked for on a busy one; by default only
    // when the main thread shares the reduction (a reducer of its own: `start`).
    expect(await runsWith({})).toBeGreaterThan(50);
    expect(await runsWith({}, { cores: 2, load: 4 })).toBe(0);
    expect(await runsWith({ threads: 1 })).toBe(0);
    expect(await runsWith({ threads: 2 }, { cores: 2, load: 4 })).toBeGreaterThan(50);
    expect(await runsWith({}, idle, false)).toBe(0);
    expect(await runsWith({ threads: 2 }, idle, false)).toBeGreaterThan(50);
    const args = ['correlate', '--alliance', 'srs', '--outcome', 'ors', file, '--format', 'json'];
    setReadTuning({ parallelMinBytes: 0, autoThreadsBytes: 0, machine: idle });
    const auto = await runInProcess(args);
    const one = await runInProcess([...args, '--threads', '1']);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stdout).toBe(one.stdout);
  });
});

describe('correlate on one thread', () => {
  it('reduces its own pieces (the row kernel) and prints what the record-by-record read prints', async () => {
    const rows = [HEADER];
    for (let c = 0; c < 600; c++) {
      for (let s = 1; s <= 1 + (c % 9); s++) {
        const srs = s % 7 === 0 ? '' : String((c * 7 + s * 3) % 41);
        rows.push(`K${c % 500},T${c % 4},${s},2024-0${1 + (s % 9)}-1${c % 10},${srs},${(((c * 13 + s * 29) % 400) / 10).toFixed(1)},`);
      }
    }
    for (const end of ['\n', '']) {
      // With and without a last line break (the last piece's last record then ends the file).
      const file = path.join(dir, `one-thread${end === '' ? '-open' : ''}.csv`);
      fs.writeFileSync(file, rows.join('\n') + end);
      for (const command of [COMMANDS[0], COMMANDS[1]]) {
        const args = [...command, file, '--format', 'json', '--threads', '1'];
        const plain = await runInProcess(args);
        expect(plain.code, plain.stderr).toBe(0);
        setReadTuning({ chunkSize: 4096, parallelMinBytes: 0 });
        const reduced = await runInProcess(args);
        setReadTuning({});
        expect(reduced.stderr).toBe(plain.stderr);
        expect(reduced.stdout).toBe(plain.stdout);
      }
      // It did reduce its runs on this thread: correlate's reduction, one thread, no worker.
      setReadTuning({ chunkSize: 4096, parallelMinBytes: 0 });
      const ds = await openDataset([file], { threads: 1 }, silentIo(process.cwd()));
      let runs = 0;
      const cfg = {
        measures: ds.mapping.measures.length,
        pairs: [{ alliance: 0, outcome: 1 }],
        early: null,
        lagged: true,
        keepPooledValues: false,
        keepClients: false,
      };
      await ds.scan(() => undefined, {
        // As correlate reads without --by: client, session and the measures (no date, no label).
        need: { date: false, therapist: false, groups: false },
        reduce: { ...correlateReduction(new Accumulator(cfg)), onRun: () => runs++ },
      });
      expect(runs).toBeGreaterThan(200);
    }
  });
});

describe('the reading thread', () => {
  it("lets the event loop turn during a read whose pieces it reduces itself (signal handlers, workers' messages)", async () => {
    const rows = [HEADER];
    for (let c = 0; c < 400; c++) for (let s = 1; s <= 5; s++) rows.push(`K${c},T${c % 3},${s},2024-01-0${s},${(c + s) % 41},${((c * s) % 400) / 10},`);
    const file = path.join(dir, 'turns.csv');
    fs.writeFileSync(file, rows.join('\n') + '\n');
    // helpAfter 0: this thread reduces every piece, so no worker's result is ever awaited,
    // and the reads are synchronous: only the reader's own turns let the timer run.
    setReadTuning({ chunkSize: 256, parallelMinBytes: 0, helpAfter: 0 });
    const ds = await openDataset([file], { threads: 2 }, silentIo(process.cwd()));
    let ticks = 0;
    /** The timer's ticks when the first and the last run were delivered. */
    let first = -1;
    let last = -1;
    let runs = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      await ds.scan(() => undefined, {
        reduce: {
          module: compiledUrl(new URL('../../src/analysis/describe-range.ts', import.meta.url).href, './describe-range.js'),
          start: describeStart,
          command: { M: ds.mapping.measures.length },
          onRun: () => {
            runs++;
            if (first < 0) first = ticks;
            last = ticks;
          },
        },
      });
    } finally {
      clearInterval(timer);
    }
    expect(runs).toBeGreaterThan(100);
    expect(last - first).toBeGreaterThan(0);
  });
});

describe('the fixtures on several threads', () => {
  // CSV fixtures with a long layout (and one read twice: every client scattered over two inputs), in pieces of a few hundred bytes, 2 workers.
  const files = [
    'fixtures/demo.csv',
    'fixtures/clinic/clinic.csv',
    'fixtures/therapists/clinic.csv',
    'fixtures/formats/long.csv',
    'fixtures/sessions/blank.csv',
    'fixtures/by/cells.csv',
    'fixtures/trend/synthetic.csv',
    'fixtures/model/nested.csv',
  ];
  const inputs = [...files.map((f) => [f]), ['fixtures/demo.csv', 'fixtures/demo.csv']];
  it.each(inputs)('%s: describe, correlate and trend print the one-thread output', async (...input: string[]) => {
    for (const command of [['describe'], ['correlate'], ['correlate', '--method', 'both', '--bootstrap', '50'], ['trend', '--clients']]) {
      const args = [...command, ...input, '--format', 'json'];
      const one = await runInProcess([...args, '--threads', '1']);
      expect(one.code, one.stderr).toBe(0);
      setReadTuning({ chunkSize: 300, parallelMinBytes: 0 });
      const three = await runInProcess([...args, '--threads', '3']);
      setReadTuning({});
      expect(three.stderr).toBe(one.stderr);
      expect(three.stdout).toBe(one.stdout);
      expect(three.code).toBe(one.code);
    }
  });
});
