/**
 * Runs the built binary (bin/alliance.js -> dist/) as a child process. test/global-setup.ts
 * rebuilds dist/ before the tests when it is missing or older than src/, so it is current.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/alliance.js', import.meta.url));

export function runBinary(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {}) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input,
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', ...(opts.env ?? {}) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr, signal: res.signal };
}
