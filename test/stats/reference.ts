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
