/**
 * Signals and atomic output (issue 16): an interrupted report leaves the output folder old
 * or complete and no temporary file; an interrupted read of standard input leaves no spooled
 * copy; the next run cleans up (or restores) what a killed run left and says so; --force
 * replaces only an earlier report; simulate --out needs --force to replace a file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT } from '../helpers/spawn.js';
import { runInProcess } from '../helpers/cli.js';

const CONFIG = path.join(ROOT, 'fixtures/report.yaml');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-interrupt-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function start(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
}

function finished(child: ReturnType<typeof start>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid;

describe('an interrupted report', () => {
  it('SIGINT/SIGTERM/SIGHUP at any moment: the folder is the old report or the new one, no temp left', async () => {
    const parent = path.join(tmp, 'sig');
    mkdirSync(parent);
    const out = path.join(parent, 'out');
    const first = spawnSync(process.execPath, [BIN, 'report', '--config', CONFIG, '--out', out, '--reproducible'], { cwd: ROOT, encoding: 'utf8' });
    expect(first.status).toBe(0);
    const complete = readdirSync(out).sort();
    const cases: [NodeJS.Signals, number, number][] = [
      ['SIGINT', 130, 150],
      ['SIGTERM', 143, 500],
      ['SIGHUP', 129, 900],
      ['SIGINT', 130, 1300],
      ['SIGTERM', 143, 1800],
    ];
    for (const [sig, code, ms] of cases) {
      const child = start(['report', '--config', CONFIG, '--out', out, '--force', '--reproducible']);
      const done = finished(child);
      await new Promise((r) => setTimeout(r, ms));
      child.kill(sig);
      const r = await done;
      // finished (0), interrupted (128 + signal), or killed while Node was still starting
      // (before the handler exists; nothing had been written yet)
      if (r.code === null) expect(r.signal).toBe(sig);
      else expect([0, code], `${sig} after ${ms} ms: ${r.stderr}`).toContain(r.code);
      expect(readdirSync(out).sort()).toEqual(complete);
      expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).exit_code).toBe(0);
      expect(readdirSync(parent)).toEqual(['out']);
    }
  }, 60_000);

  it('SIGINT while reading standard input: exit 130 and no spooled copy left', async () => {
    const tmpd = mkdtempSync(path.join(tmp, 'spool-'));
    const child = start(['describe', '-'], { TMPDIR: tmpd });
    const done = finished(child);
    child.stdin.write('client_id,session,srs,ors\n' + 'C1,1,30,20\n'.repeat(10000));
    // stdin stays open: wait until the spool exists (the command is reading), then interrupt
    for (let i = 0; i < 200 && readdirSync(tmpd).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmpd).length).toBe(1);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(readdirSync(tmpd)).toEqual([]);
  }, 20_000);
});

describe('an interrupted write into a file', () => {
  // Standard output a file: every write is synchronous, so the write loop must yield for
  // the signal handler to run; without that the run went on to the end and exited 0.
  it('simulate > FILE: SIGINT mid-output is exit 130, not a finished run with exit 0', async () => {
    const file = path.join(tmp, 'sim-stdout.csv');
    const fd = openSync(file, 'w');
    const child = spawn(process.execPath, [BIN, 'simulate', '--rows', '1500000'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', fd, 'pipe'],
    });
    closeSync(fd);
    const done = finished(child as ReturnType<typeof start>);
    for (let i = 0; i < 400 && statSync(file).size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(statSync(file).size).toBeGreaterThan(0);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(130);
    rmSync(file);
  }, 30_000);
});

describe('the next run cleans up after a killed one', () => {
  it('removes a leftover temp folder and restores an output folder left aside, saying so', async () => {
    const parent = path.join(tmp, 'leftover');
    mkdirSync(parent);
    const pid = deadPid();
    // A kill -9 between the two renames of --force: no 'out', only its old copy and the new temp.
    mkdirSync(path.join(parent, `.out.old-${pid}-0123abcd`));
    writeFileSync(path.join(parent, `.out.old-${pid}-0123abcd`, 'manifest.json'), '{"old":true}');
    mkdirSync(path.join(parent, `.out.tmp-${pid}-89abcdef`));
    writeFileSync(path.join(parent, `.out.tmp-${pid}-89abcdef`, 'half.csv'), 'x');
    const r = await runInProcess(['report', '--config', CONFIG, '--out', path.join(parent, 'out'), '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`restored out from .out.old-${pid}-0123abcd, left by an interrupted run`);
    expect(r.stderr).toContain(`removed .out.tmp-${pid}-89abcdef, left by an interrupted run`);
    expect(readdirSync(parent)).toEqual(['out']);
    expect(readdirSync(path.join(parent, 'out'))).toContain('report.html');
  });

  it('leaves the temp folders of a live process alone', async () => {
    const parent = path.join(tmp, 'live');
    mkdirSync(parent);
    const mine = `.out.tmp-${process.pid}-0000beef`;
    mkdirSync(path.join(parent, mine));
    const r = await runInProcess(['report', '--config', CONFIG, '--out', path.join(parent, 'out')]);
    expect(r.code).toBe(0);
    expect(readdirSync(parent).sort()).toEqual([mine, 'out']);
  });
});

describe('overwrites', () => {
  it('report --force refuses a folder that does not hold an earlier report', async () => {
    const out = path.join(tmp, 'photos');
    mkdirSync(out);
    writeFileSync(path.join(out, 'holiday.jpg'), 'precious');
    const r = await runInProcess(['report', '--config', CONFIG, '--out', out, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/photos: does not hold an earlier report \(no manifest\.json\)/);
    expect(readFileSync(path.join(out, 'holiday.jpg'), 'utf8')).toBe('precious');
    // Refused before any section ran (a monthly run of millions of rows learns it at once).
    expect(r.stderr).not.toMatch(/\[1\/\d+\]/);
  });

  it("report --force refuses a file in the folder's place before any section runs", async () => {
    const out = path.join(tmp, 'a-file');
    writeFileSync(out, 'precious');
    const r = await runInProcess(['report', '--config', CONFIG, '--out', out, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a-file: is a file, not an output folder/);
    expect(r.stderr).not.toMatch(/\[1\/\d+\]/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
  });

  it('an empty --out (an unset variable) is refused: it would name the current folder', async () => {
    const cwd = mkdtempSync(path.join(tmp, 'cwd-'));
    for (const args of [
      ['report', '--config', CONFIG, '--out', '', '--force'],
      ['describe', path.join(ROOT, 'fixtures/demo.csv'), '--out', ' ', '--force'],
      ['simulate', '--clients', '3', '--out', ''],
    ]) {
      const r = await runInProcess(args, { cwd });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^alliance: --out is empty\. /);
      expect(readdirSync(cwd), args.join(' ')).toEqual([]);
    }
  });

  it('simulate --out an existing file needs --force', async () => {
    const f = path.join(tmp, 'sim.csv');
    writeFileSync(f, 'mine\n');
    const r = await runInProcess(['simulate', '--clients', '3', '--out', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sim\.csv: already exists\. Use --force/);
    expect(readFileSync(f, 'utf8')).toBe('mine\n');
    const forced = await runInProcess(['simulate', '--clients', '3', '--out', f, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(f, 'utf8')).toMatch(/^client_id,/);
  });
});
