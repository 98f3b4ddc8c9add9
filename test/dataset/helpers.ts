/**
 * Test helpers: write small synthetic CSV fixtures to a temp dir and collect a scan.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll } from 'vitest';
import type { Io } from '../../src/io/process.js';
import { openDataset } from '../../src/dataset/open.js';
import type { CellIssue, Dataset, ReadOptions, ScanOptions, ScanStats } from '../../src/dataset/types.js';

const made: string[] = [];
// Each test file that imports these helpers removes the folders they made for it.
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'alliance-ds-'));
  made.push(d);
  return d;
}

/** Writes `files` (name -> content) into a fresh temp dir; returns their paths in order. */
export function writeFixtures(files: Record<string, string>): string[] {
  const dir = tempDir();
  return Object.entries(files).map(([name, text]) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  });
}

export function testIo(): Io {
  return {
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin: Readable.from([]),
    env: {},
    cwd: process.cwd(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
}

export interface Collected {
  ds: Dataset;
  rows: {
    file: number;
    line: number;
    client: string;
    session: number;
    date: number;
    therapist: string | null;
    groups: (string | null)[];
    values: number[];
  }[];
  issues: CellIssue[];
  stats: ScanStats;
}

/**
 * Every row, issue and the stats of one scan. `raw` adds an (empty) onRaw handler, which
 * sends the scan through the string path; `options` are the scan's ScanOptions.
 */
export async function collect(ds: Dataset, raw = false, options?: ScanOptions): Promise<Collected> {
  const rows: Collected['rows'] = [];
  const issues: CellIssue[] = [];
  const stats = await ds.scan(
    (r) =>
      rows.push({
        file: r.file,
        line: r.line,
        client: ds.clients[r.client],
        session: r.session,
        date: r.date,
        therapist: r.therapist < 0 ? null : ds.therapists[r.therapist],
        groups: Array.from(r.groups, (g, i) => (g < 0 ? null : ds.groupLevels[i][g])),
        values: Array.from(r.values),
      }),
    { ...options, onIssue: (i) => issues.push({ ...i }), onRaw: raw ? () => undefined : undefined },
  );
  return { ds, rows, issues, stats };
}

export async function load(csv: string | Record<string, string>, opts: ReadOptions = {}): Promise<Collected> {
  const files = typeof csv === 'string' ? { 'data.csv': csv } : csv;
  const paths = writeFixtures(files);
  const ds = await openDataset(paths, opts, testIo());
  return collect(ds);
}

/** The UserError message (format()) thrown by `fn`. */
export async function errorOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    const f = (e as { format?: () => string }).format;
    if (typeof f === 'function') return f.call(e);
    throw e;
  }
  throw new Error('expected a UserError');
}
