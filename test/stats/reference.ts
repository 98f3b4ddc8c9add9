// Shared helpers for the reference tests: load a committed JSON written by an R script,
// and compare floats with an explicit tolerance.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

export function loadReference<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(here, '..', 'reference', name), 'utf8')) as T;
}

/** |a - b| <= abs + rel * |b| ; returns a message (for the failing case) or null. */
export function closeTo(actual: number, expected: number, opts: { abs?: number; rel?: number }): boolean {
  const abs = opts.abs ?? 0;
  const rel = opts.rel ?? 0;
  if (actual === expected) return true;
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return false;
  return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
}

/** Collects mismatches so a test reports all of them at once. */
export class Mismatches {
  readonly items: string[] = [];
  check(label: string, actual: number, expected: number, opts: { abs?: number; rel?: number }): void {
    if (!closeTo(actual, expected, opts)) {
      const relErr = Math.abs(actual - expected) / Math.abs(expected);
      this.items.push(`${label}: got ${actual}, R ${expected} (rel err ${relErr.toExponential(2)})`);
    }
  }
}

/** Reads a numeric CSV from fixtures/reference (header row, comma separated, NA = NaN). */
export function loadFixtureCsv(name: string): Record<string, (number | string)[]> {
  const text = readFileSync(join(here, '..', '..', 'fixtures', 'reference', name), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',').map((h) => h.replace(/^"|"$/g, ''));
  const cols: Record<string, (number | string)[]> = {};
  for (const h of header) cols[h] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    header.forEach((h, i) => {
      const raw = cells[i].replace(/^"|"$/g, '');
      const v = raw === 'NA' ? Number.NaN : Number(raw);
      cols[h].push(Number.isNaN(v) && raw !== 'NA' ? raw : v);
    });
  }
  return cols;
}
