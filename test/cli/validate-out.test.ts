/**
 * `alliance validate --out FILE`, as the analysis commands take it (README, "Every analysis
 * command takes ... --out FILE"): the document a CI job would redirect from standard output
 * is written to FILE atomically instead, byte for byte, and the exit code still says whether
 * the data passed (0, 1, or 2 for an unreadable file). The refusals are the other commands'
 * (an empty path, an existing file without --force, a folder, a device), with their
 * messages, and leave the target as it was.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';
import { TODAY } from '../validate/helpers.js';

const FIX = path.join(ROOT, 'fixtures/validate');
const FORMATS = ['table', 'md', 'json', 'csv', 'github', 'junit', 'sarif'] as const;
const tmp = mkdtempSync(path.join(tmpdir(), 'alliance-validate-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A new empty folder for one run's output. */
const outDir = (): string => {
  const d = path.join(tmp, `run-${++n}`);
  mkdirSync(d);
  return d;
};

/** validate run in fixtures/validate, so the documents name the inputs as given (relative). */
const validate = (args: string[], env: Record<string, string> = {}) => runInProcess(['validate', ...args, '--today', TODAY], { cwd: FIX, env });

describe('validate --out FILE writes what standard output would have had', () => {
  // clean.csv passes (exit 0), mixed.csv has error findings (exit 1), a missing file is
  // an unreadable one (exit 2; the document is still written, whole).
  const cases: [string, string[], number][] = [
    ['passing data', ['clean.csv'], 0],
    ['failing data', ['mixed.csv'], 1],
    ['an unreadable file beside a good one', ['clean.csv', 'no-such-export.csv'], 2],
  ];
  for (const [name, files, code] of cases) {
    for (const format of FORMATS) {
      it(`${name}, --format ${format}: the same bytes in FILE, nothing on stdout, exit ${code}`, async () => {
        const toStdout = await validate([...files, '--format', format]);
        expect(toStdout.code, toStdout.stderr).toBe(code);
        expect(toStdout.stdout.length).toBeGreaterThan(0);
        const dir = outDir();
        const file = path.join(dir, `findings.${format}`);
        const toFile = await validate([...files, '--format', format, '--out', file]);
        expect(toFile.code, toFile.stderr).toBe(code);
        expect(toFile.stdout).toBe('');
        // stderr is what it was (an unreadable file's one line), no more.
        expect(toFile.stderr).toBe(toStdout.stderr);
        expect(readFileSync(file, 'utf8')).toBe(toStdout.stdout);
        // Written atomically: no temporary file left beside it.
        expect(readdirSync(dir)).toEqual([`findings.${format}`]);
      });
    }
  }

  it('--out - is standard output, as for the other commands', async () => {
    const r = await validate(['mixed.csv', '--format', 'json', '--out', '-']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).command).toBe('validate');
  });

  it('a file gets no colour and no terminal width (as the other commands write files)', async () => {
    const env = { FORCE_COLOR: '1', COLUMNS: '60' };
    const file = path.join(outDir(), 'findings.txt');
    const r = await validate(['mixed.csv', '--out', file], env);
    expect(r.code).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('\u001b[');
    // The plain document, as a pipe gets it.
    expect(text).toBe((await validate(['mixed.csv'])).stdout);
  });

  it('--format github still appends the step summary; the annotations go to FILE', async () => {
    const dir = outDir();
    const summary = path.join(dir, 'summary.md');
    const file = path.join(dir, 'annotations.txt');
    const env = { GITHUB_STEP_SUMMARY: summary };
    const r = await validate(['mixed.csv', '--format', 'github', '--out', file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toMatch(/^::error file=mixed\.csv,/m);
    expect(readFileSync(summary, 'utf8')).toMatch(/^## alliance validate: /);
  });

  it('replaces an existing FILE with --force', async () => {
    const file = path.join(outDir(), 'findings.json');
    writeFileSync(file, 'old\n');
    const r = await validate(['clean.csv', '--format', 'json', '--out', file, '--force']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).passed).toBe(true);
  });

  it('--help lists --out and --force', async () => {
    const r = await runInProcess(['validate', '--help']);
    expect(r.stdout).toMatch(/--out <file> +write the output to FILE \(atomically/);
    expect(r.stdout).toMatch(/--force +replace FILE when --out names an existing file/);
  });
});

describe('validate --out refuses what the other commands refuse, with their messages', () => {
  /** The same --out arguments given to describe (a command that has always had --out). */
  const describeWith = (out: string[]) => runInProcess(['describe', path.join(ROOT, 'fixtures/demo.csv'), ...out], { cwd: FIX });

  it('an empty path (an unset variable): exit 2, nothing written', async () => {
    const cwd = outDir();
    for (const out of ['', ' ']) {
      const r = await runInProcess(['validate', path.join(FIX, 'clean.csv'), '--format', 'json', '--out', out, '--force'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^alliance: --out is empty\. /);
      expect(r.stderr).toBe((await describeWith(['--out', out, '--force'])).stderr);
      expect(readdirSync(cwd)).toEqual([]);
    }
  });

  it('an existing file without --force: exit 2, the file untouched, refused before the inputs are read', async () => {
    const file = path.join(outDir(), 'findings.json');
    writeFileSync(file, 'precious\n');
    const r = await validate(['mixed.csv', '--format', 'json', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`alliance: ${file}: already exists. Use --force to replace it, or choose another file name.\n`);
    expect(r.stderr).toBe((await describeWith(['--out', file])).stderr);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
    // Before any input is read: an unreadable input says nothing, only the clash.
    const early = await validate(['no-such-export.csv', '--format', 'json', '--out', file]);
    expect(early.code).toBe(2);
    expect(early.stderr).toBe(r.stderr);
  });

  it('a folder: "already exists" without --force, "is a directory" with it; the folder untouched', async () => {
    const dir = outDir();
    writeFileSync(path.join(dir, 'keep.txt'), 'mine\n');
    for (const force of [[], ['--force']]) {
      const r = await validate(['mixed.csv', '--format', 'json', '--out', dir, ...force]);
      expect(r.code, force.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(force.length ? /: is a directory\. Give a file name for the output\.$/m : /: already exists\. Use --force/);
      expect(r.stderr).toBe((await describeWith(['--out', dir, ...force])).stderr);
      expect(statSync(dir).isDirectory()).toBe(true);
      expect(readdirSync(dir)).toEqual(['keep.txt']);
    }
  });

  it.skipIf(!existsSync('/dev/null'))('a device with --force: exit 2, not renamed over', async () => {
    const r = await validate(['clean.csv', '--format', 'json', '--out', '/dev/null', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^alliance: \/dev\/null: is a device or pipe, not a file; --out writes regular files only\./);
    expect(r.stderr).toBe((await describeWith(['--out', '/dev/null', '--force'])).stderr);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('out is not a key of the config, as for the other commands (only the report has report.out)', async () => {
    const cfg = path.join(outDir(), 'c.yaml');
    writeFileSync(cfg, 'validate:\n  out: findings.json\n');
    const r = await validate(['clean.csv', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/c\.yaml:2: unknown key 'validate\.out'/);
  });
});
