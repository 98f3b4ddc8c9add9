/**
 * sharedScans (src/dataset/shared-scan.ts): analyses taking part read the input once
 * together, and each sees exactly the rows, issues, raw records and stats it sees alone.
 */
import { describe, expect, test } from 'vitest';
import { openDataset } from '../../src/dataset/open.js';
import { sharedScans } from '../../src/dataset/shared-scan.js';
import type { CellIssue, Dataset, ScanOptions, SessionRow } from '../../src/dataset/types.js';
import { fieldText } from '../../src/io/scanner.js';
import { testIo, writeFixtures } from './helpers.js';

const CSV = [
  'client_id,therapist,site,session,date,srs,ors',
  'A,T1,N,1,2024-01-03,30,20',
  'A,T1,N,2,2024-01-10,abc,22',
  'B,T2,S,1,2024-13-01,35,',
  'A,T1,N,3,2024-01-17,33,25',
  'C,,S,1,2024-02-01,99,18',
  'B,T2,S,2,2024-02-08,36,30',
  '',
].join('\n');

async function open(): Promise<{ ds: Dataset; reads: () => number }> {
  const [p] = writeFixtures({ 'd.csv': CSV });
  const ds = await openDataset([p], { groups: ['site'] }, testIo());
  let reads = 0;
  const counting: Dataset = Object.create(ds, {
    scan: {
      value: (onRow: (r: SessionRow) => void, o?: ScanOptions) => {
        reads++;
        return ds.scan(onRow, o);
      },
    },
  }) as Dataset;
  return { ds: counting, reads: () => reads };
}

/** A scan's observable result: rows as plain values, issues, raw lines and stats. */
async function observe(ds: Dataset, options: { need?: ScanOptions['need']; issues?: boolean; raw?: boolean; range?: boolean } = {}) {
  const rows: unknown[] = [];
  const issues: CellIssue[] = [];
  const raw: number[] = [];
  /** Each raw record as the hook that got it saw it: "text" (onRaw) or "range" (onRawRange), line, fields. */
  const via: string[] = [];
  const stats = await ds.scan(
    (r) => {
      const part = (on: boolean | undefined) => on !== false;
      rows.push([
        ds.clients[r.client],
        r.session,
        part(options.need?.date) ? r.date : 'unread',
        part(options.need?.therapist) && r.therapist >= 0 ? ds.therapists[r.therapist] : null,
        part(options.need?.groups) ? Array.from(r.groups, (g) => (g < 0 ? null : ds.groupLevels[0][g])) : 'unread',
        Array.from(r.values),
      ]);
    },
    {
      need: options.need,
      onIssue: options.issues ? (i) => issues.push({ ...i }) : undefined,
      onRaw: options.raw
        ? (f, line) => {
            raw.push(line);
            via.push(`text ${line} ${f.join('|')}`);
          }
        : undefined,
      onRawRange:
        options.raw && options.range
          ? (rec, line) => {
              raw.push(line);
              via.push(`range ${line} ${Array.from({ length: rec.count }, (_, k) => fieldText(rec, k)).join('|')}`);
            }
          : undefined,
    },
  );
  return { rows, issues, raw, via, stats };
}

describe('sharedScans', () => {
  test('participants read the input once and see what they see alone', async () => {
    const kinds = [
      { issues: true, raw: true },
      { need: { date: false, therapist: false, groups: false } },
      { need: { date: true, therapist: false, groups: false }, raw: true },
      {},
    ];
    const alone = [];
    for (const k of kinds) alone.push(await observe((await open()).ds, k));
    const { ds, reads } = await open();
    const shared = sharedScans(ds);
    const together = await Promise.all(kinds.map((k) => shared.join(() => observe(shared.dataset, k))));
    expect(reads()).toBe(1);
    expect(together).toEqual(alone);
    // Not blind: the input gives issues, raw records and all three parts of a row.
    expect(alone[0].issues.length).toBeGreaterThan(1);
    expect(alone[0].raw).toEqual([2, 3, 4, 5, 6, 7]);
    expect(alone[1].issues).toEqual([]);
  });

  test('a round keeps the byte path when every raw hook has its byte-range form, else every hook gets text', async () => {
    const run = async (kinds: Parameters<typeof observe>[1][]) => {
      const { ds, reads } = await open();
      const shared = sharedScans(ds);
      const together = await Promise.all(kinds.map((k) => shared.join(() => observe(shared.dataset, k))));
      expect(reads()).toBe(1);
      return together;
    };
    const alone = await observe((await open()).ds, { issues: true, raw: true });
    const text = alone.via;
    expect(text).toHaveLength(6);
    expect(text[0]).toBe('text 2 A|T1|N|1|2024-01-03|30|20');
    const range = text.map((t) => t.replace(/^text/, 'range'));
    // Both with ranges: the byte path, every hook sees the same records as text would give.
    const both = await run([{ issues: true, raw: true, range: true }, { raw: true, range: true }, {}]);
    expect(both.map((o) => o.via)).toEqual([range, range, []]);
    expect(both[0].rows).toEqual(alone.rows);
    expect(both[0].issues).toEqual(alone.issues);
    // One without: the string path, every raw hook gets onRaw.
    const mixed = await run([{ issues: true, raw: true, range: true }, { raw: true }]);
    expect(mixed.map((o) => o.via)).toEqual([text, text]);
    expect(mixed[0].rows).toEqual(alone.rows);
  });

  test('need.measures: the others read NaN and are not counted alone; a round reads the measures any caller lists', async () => {
    const values = async (ds: Dataset, need?: ScanOptions['need']) => {
      const seen: number[][] = [];
      const stats = await ds.scan((r) => seen.push(Array.from(r.values)), need ? { need } : {});
      return { seen, stats };
    };
    const full = await values((await open()).ds);
    const orsOnly = await values((await open()).ds, { measures: [1] });
    expect(orsOnly.seen.map((v) => v[1])).toEqual(full.seen.map((v) => v[1]));
    expect(orsOnly.seen.every((v) => Number.isNaN(v[0]))).toBe(true);
    // Not blind: srs has an unusable cell and an out-of-range one, counted only when read.
    expect(full.stats.unusable[0]).toBe(2);
    expect(orsOnly.stats.unusable[0]).toBe(0);
    expect(orsOnly.stats.missing[1]).toBe(full.stats.missing[1]);
    const { ds, reads } = await open();
    const shared = sharedScans(ds);
    const [a, b] = await Promise.all([
      shared.join(() => values(shared.dataset, { measures: [1] })),
      shared.join(() => values(shared.dataset, { measures: [0] })),
    ]);
    expect(reads()).toBe(1);
    expect(a.seen).toEqual(full.seen);
    expect(b.seen).toEqual(full.seen);
  });

  test('a second scan (a repair pass) is served in a later round, also after others finish', async () => {
    const { ds, reads } = await open();
    const shared = sharedScans(ds);
    const twice = async () => {
      const a = await observe(shared.dataset);
      const b = await observe(shared.dataset);
      return [a.rows.length, b.rows.length];
    };
    const once = async () => (await observe(shared.dataset)).rows.length;
    const [t, o] = await Promise.all([shared.join(twice), shared.join(once)]);
    expect(t).toEqual([6, 6]);
    expect(o).toBe(6);
    expect(reads()).toBe(2);
  });

  test('a participant that does not scan does not hold the others back', async () => {
    const { ds, reads } = await open();
    const shared = sharedScans(ds);
    const idle = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return 'idle';
    };
    const [a, b] = await Promise.all([shared.join(idle), shared.join(async () => (await observe(shared.dataset)).rows.length)]);
    expect([a, b]).toEqual(['idle', 6]);
    expect(reads()).toBe(1);
  });

  test("a failing participant's error reaches every reader of that round, and the reader recovers", async () => {
    const { ds } = await open();
    const shared = sharedScans(ds);
    const boom = () =>
      shared.dataset.scan(() => {
        throw new Error('boom');
      });
    const results = await Promise.allSettled([shared.join(boom), shared.join(() => observe(shared.dataset))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await shared.join(() => observe(shared.dataset))).rows).toHaveLength(6);
  });
});
