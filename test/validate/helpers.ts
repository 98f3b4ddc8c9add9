/**
 * Helpers for validate tests: write small CSV texts to a temporary folder and run
 * `alliance validate` in-process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess, type CliResult, type RunOptions } from '../helpers/cli.js';
import type { Finding } from '../../src/validate/types.js';

export const TODAY = '2025-01-01';

let dir: string | null = null;
let counter = 0;

/** Writes `text` (string or bytes) to a new file in a per-run temporary folder; returns its path. */
export function tmpFile(text: string | Buffer, name?: string): string {
  dir ??= mkdtempSync(path.join(tmpdir(), 'alliance-validate-test-'));
  const file = path.join(dir, name ?? `t${++counter}.csv`);
  writeFileSync(file, text);
  return file;
}

export function tmpDir(): string {
  dir ??= mkdtempSync(path.join(tmpdir(), 'alliance-validate-test-'));
  return dir;
}

/** validate's JSON document (schema 2): the summary (snake_case) and the findings grouped by file. */
export interface ValidateDoc {
  command: string;
  schema: number;
  passed: boolean;
  summary: Record<string, any>;
  files: { file: string; status: string; findings: Finding[] }[];
}

/** Every finding of a JSON document, in file order (the files' lists one after the other). */
export function findingsOf(doc: { files: { findings: Finding[] }[] }): Finding[] {
  return doc.files.flatMap((f) => f.findings);
}

export interface JsonRun extends CliResult {
  doc: ValidateDoc & { findings: Finding[] };
  codes: string[];
}

/** Runs validate with --format json --today TODAY on a CSV text; parses the document. */
export async function validateJson(csv: string, args: string[] = [], opts: RunOptions = {}): Promise<JsonRun> {
  const file = tmpFile(csv);
  const r = await runInProcess(['validate', file, '--format', 'json', '--today', TODAY, ...args], opts);
  if (r.code === 2) throw new Error(`validate exited 2: ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as ValidateDoc;
  const doc = { ...parsed, findings: findingsOf(parsed) };
  return { ...r, doc, codes: doc.findings.map((f) => f.code) };
}
