/**
 * The report's large files are streamed (issue 16: "stream large per-client outputs instead
 * of building one string"): results.json and the CSVs are given to writeDirAtomic as pieces
 * (jsonChunks, csvChunks) and written piece by piece. The bytes are those of the string form
 * (the golden test in ./report.test.ts pins results.json; here the written files equal the
 * pieces and results.json is JSON.stringify's canonical text), a failure while writing
 * leaves nothing behind, and a report whose results.json is larger than the JavaScript heap
 * allows to hold beside the analysis is written under that heap cap (behavioural, not timed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { writeDirAtomic, type FileContent } from '../../src/io/atomic.js';
import { runReport, sectionCheck } from '../../src/report/batch/run.js';
import { BIN, ROOT } from '../helpers/spawn.js';
import { writeTwoSessionClients } from '../helpers/clients.js';
import { silentIo } from '../helpers/cli.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-streamed-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const io = silentIo;

const text = (data: FileContent): string => (typeof data === 'function' ? [...data()].join('') : data.toString());

describe('the demo report', () => {
  it('gives results.json and the CSVs as pieces, written byte for byte as their string form', async () => {
    const cfg = await loadConfig(path.join(ROOT, 'fixtures/report.yaml'), ROOT);
    const out = await runReport(sectionCheck(cfg, cfg.text!), io(ROOT), { version: '0', reproducible: true, out: 'x', force: false, now: new Date(0) });
    const streamed = [...out.files].filter(([, d]) => typeof d === 'function').map(([n]) => n);
    expect(streamed).toContain('results.json');
    expect(streamed.filter((n) => n.endsWith('.csv')).length).toBe([...out.files.keys()].filter((n) => n.endsWith('.csv')).length);
    expect(streamed.every((n) => n === 'results.json' || n.endsWith('.csv'))).toBe(true);
    const dir = path.join(tmp, 'demo');
    await writeDirAtomic(dir, out.files);
    for (const [name, data] of out.files) expect(readFileSync(path.join(dir, name), 'utf8')).toBe(text(data));
    const json = readFileSync(path.join(dir, 'results.json'), 'utf8');
    expect(json).toBe(JSON.stringify(JSON.parse(json), null, 2) + '\n');
  });
});

describe('writeDirAtomic with pieces', () => {
  it('writes pieces across its 1 MB batches exactly', async () => {
    const piece = 'x'.repeat(70_000) + '\u00e9\n';
    const want = piece.repeat(40);
    const dir = path.join(tmp, 'pieces');
    await writeDirAtomic(dir, new Map<string, FileContent>([['a.txt', () => Array.from({ length: 40 }, () => piece)]]));
    expect(readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe(want);
  });

  it('a failure while making the pieces leaves no folder and no temporary folder', async () => {
    const parent = mkdtempSync(path.join(tmp, 'fail-'));
    const bad = function* (): Generator<string> {
      yield 'a'.repeat(2 << 20);
      throw new Error('boom');
    };
    const files = new Map<string, FileContent>([
      ['ok.txt', 'ok'],
      ['bad.json', bad],
    ]);
    await expect(writeDirAtomic(path.join(parent, 'out'), files)).rejects.toThrow('boom');
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('a report larger than the heap may hold as one string', () => {
  // 100,000 clients with their client table: results.json is about 137 MB, more than twice
  // the 64 MB heap cap, so it can only be written in pieces (built as one string it needs a
  // heap larger than itself). Measured (Node 20): the streamed report runs in a 32 MB heap
  // and fails in 24 MB; 16 MB fails whatever the output (the cap bites).
  const CLIENTS = 100_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'alliance-streamed-big-'));
  beforeAll(() => {
    writeTwoSessionClients(path.join(dir, 'clients.csv'), CLIENTS);
    writeFileSync(
      path.join(dir, 'r.yaml'),
      'files: [clients.csv]\ntoday: 2025-07-01\nreport:\n  sections: [trend]\n  formats: [json, csv]\n  clientTables: true\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (heapMb: number, out: string) =>
    spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, BIN, 'report', '--config', 'r.yaml', '--out', out], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });

  it('is written with the heap capped at 64 MB; results.json (larger than the heap) holds every client', () => {
    const r = run(64, 'big');
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect([r.status, r.signal]).toEqual([0, null]);
    const results = path.join(dir, 'big', 'results.json');
    expect(statSync(results).size).toBeGreaterThan(2 * 64 * 1024 * 1024);
    expect(JSON.parse(readFileSync(results, 'utf8')).sections.trend.clients).toHaveLength(CLIENTS);
    const tail = readFileSync(path.join(dir, 'big', 'trend-clients.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(tail).toHaveLength(CLIENTS + 1);
  }, 240_000);

  it('the cap bites: at 16 MB the same report runs out of memory, and leaves no folder', () => {
    const r = run(16, 'small');
    expect(r.status === 0 && r.signal === null).toBe(false);
    expect(existsSync(path.join(dir, 'small'))).toBe(false);
  }, 240_000);
});
