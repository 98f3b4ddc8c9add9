import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, ROOT } from '../helpers/spawn.js';

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
