import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT, runBinary } from '../helpers/spawn.js';

// A reader that goes away early (`| head`) must not end in an EPIPE stack trace.
// The test reads the first chunk of stdout, closes the pipe, and waits for the exit.
function closeAfterFirstChunk(args: string[]): Promise<{ code: number | null; first: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    let first = '';
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    child.stdout.once('data', (chunk: Buffer) => {
      first = chunk.toString('utf8');
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, first, stderr }));
  });
}

describe('| head', () => {
  it('a long stream (simulate) exits 0 quietly when the reader closes early', async () => {
    const r = await closeAfterFirstChunk(['simulate', '--rows', '2000000', '--seed', '3']);
    expect(r.first).toMatch(/^client_id,/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a report table (trend --clients) exits 0 quietly', async () => {
    const r = await closeAfterFirstChunk(['trend', 'fixtures/demo.csv', '--clients', '--format', 'csv']);
    expect(r.first.length).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

// A reader slower than the writer: the program waits for stdout to drain many times.
function readAll(args: string[]): Promise<{ code: number | null; bytes: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    let bytes = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      // Pause now and then, so that the pipe fills and the writer waits.
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 5);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, bytes, stderr }));
  });
}

describe('a slow reader', () => {
  it('a long output waits for stdout to drain without piling up listeners (no warning on stderr)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-pipe-'));
    try {
      const file = path.join(dir, 'sessions.csv');
      expect(runBinary(['simulate', '--rows', '20000', '--clients', '10000', '--seed', '3', '--out', file]).code).toBe(0);
      // About 4 MB of JSON, written in pieces: the writer waits for many drains.
      const r = await readAll(['trend', file, '--clients', '--format', 'json']);
      expect(r.bytes).toBeGreaterThan(3_000_000);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
