/**
 * Issue 14.8: the composite GitHub Action (action.yml) and the pre-commit hook
 * (.pre-commit-hooks.yaml) at the repository root. The action is exercised the way the
 * runner does it: action.yml is parsed with `yaml`, each step's `${{ inputs.* }}` and
 * `${{ github.action_path }}` expressions are filled in, and every `run:` is run with
 * `bash --noprofile --norc -eo pipefail` (the runner's bash) in a workspace, with
 * GITHUB_STEP_SUMMARY and GITHUB_OUTPUT set. `uses:` steps (actions/setup-node) are
 * checked, not run. The install step finds this checkout installed and built (the test
 * setup builds dist/), so it runs without touching the network.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ROOT, runBinary } from '../helpers/spawn.js';
import { validateSarif } from '../helpers/schemas.js';

interface Step {
  name: string;
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

interface Action {
  name: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Action;

/** Fills in the expressions a runner would: inputs (with their defaults) and the action's path. */
function expand(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_all, expr: string) => {
    if (expr === 'github.action_path') return ROOT.replace(/\/$/, '');
    const m = /^inputs\.([a-z-]+)$/.exec(expr);
    if (m) {
      if (!(m[1] in action.inputs)) throw new Error(`action.yml uses an undeclared input ${m[1]}`);
      return inputs[m[1]] ?? action.inputs[m[1]].default ?? '';
    }
    throw new Error(`unexpected expression in a step: ${expr}`);
  });
}

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: string;
  ran: string[];
}

/** Runs the action's steps in `workspace` with `inputs`; stops at the first step that fails, as the runner does. */
function runAction(workspace: string, inputs: Record<string, string>): ActionRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'alliance-action-'));
  const summary = path.join(dir, 'step-summary.md');
  const outputs = path.join(dir, 'output.txt');
  writeFileSync(summary, '');
  writeFileSync(outputs, '');
  let stdout = '';
  let stderr = '';
  const ran: string[] = [];
  for (const step of action.runs.steps) {
    if (step.uses) continue;
    ran.push(step.name);
    const script = path.join(dir, `step-${ran.length}.sh`);
    writeFileSync(script, expand(step.run!, inputs));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: outputs,
      RUNNER_TEMP: dir,
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(v, inputs);
    const cwd = step['working-directory'] ? expand(step['working-directory'], inputs) : workspace;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8' });
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.status !== 0) return { code: r.status ?? -1, stdout, stderr, summary: readFileSync(summary, 'utf8'), outputs: readFileSync(outputs, 'utf8'), ran };
  }
  return { code: 0, stdout, stderr, summary: readFileSync(summary, 'utf8'), outputs: readFileSync(outputs, 'utf8'), ran };
}

/** A workspace (the checkout of a repository) with exports under exports/. */
function workspace(files: Record<string, string>): string {
  const ws = mkdtempSync(path.join(tmpdir(), 'alliance-ws-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, name)), { recursive: true });
    writeFileSync(path.join(ws, name), text);
  }
  return ws;
}

const GOOD = 'client_id,session,date,srs\nC1,1,2024-01-08,30\nC1,2,2024-01-15,31\n';
const GAP = 'client_id,session,date,srs\nD1,1,2024-01-08,30\nD1,3,2024-01-22,31\n';
const BAD = 'client_id,session,date,srs\nE1,1,2024-01-08,41\n';

describe('action.yml', () => {
  it('is a composite action on Node 20 with inputs files, schema and strict, and a status output', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['files', 'schema', 'strict']));
    expect(action.runs.steps[0]).toMatchObject({ uses: 'actions/setup-node@v4', with: { 'node-version': 20 } });
    for (const s of action.runs.steps.filter((x) => x.run)) {
      expect(s.shell).toBe('bash');
      // Inputs reach the scripts through env, never spliced into the script text.
      expect(s.run).not.toMatch(/\$\{\{/);
    }
    expect(action.outputs.status.value).toBe('${{ steps.validate.outputs.status }}');
    expect(action.runs.steps.some((s) => s.id === 'validate')).toBe(true);
  });

  it('passes clean exports: exit 0, status passed, the report in the step summary', () => {
    const ws = workspace({ 'exports/a.csv': GOOD, 'exports/nested/b.csv': GOOD.replace(/C1/g, 'C2') });
    const r = runAction(ws, { files: 'exports/**/*.csv', today: '2025-01-01' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.ran).toEqual(['Install alliance-outcome', 'alliance validate']);
    expect(r.stdout).toContain('alliance-outcome is already installed');
    expect(r.stdout).toContain('passed: 0 errors, 0 warnings');
    expect(r.outputs).toBe('status=passed\n');
    expect(r.summary).toMatch(/^## alliance validate: passed: 0 errors, 0 warnings/);
    expect(r.summary).toContain('`exports/a.csv` (2 rows, passed), `exports/nested/b.csv` (2 rows, passed)');
  });

  it('fails on errors with annotations (exit 1, status failed)', () => {
    const ws = workspace({ 'exports/a.csv': GOOD, 'exports/b.csv': BAD });
    const r = runAction(ws, { files: 'exports/a.csv\nexports/b.csv', today: '2025-01-01' });
    expect(r.code).toBe(1);
    expect(r.outputs).toBe('status=failed\n');
    expect(r.stdout).toMatch(/^::error file=exports\/b\.csv,line=2,col=4,title=value\.out-of-range::/m);
    expect(r.summary).toContain('FAILED: 1 error, 0 warnings');
  });

  it('strict: warnings fail with true, pass with false; anything else is refused', () => {
    const ws = workspace({ 'exports/gap.csv': GAP });
    expect(runAction(ws, { files: 'exports/gap.csv', strict: 'false', today: '2025-01-01' }).code).toBe(0);
    const strict = runAction(ws, { files: 'exports/gap.csv', strict: 'true', today: '2025-01-01' });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^::warning file=exports\/gap\.csv,line=3,col=2,title=session\.gap::/m);
    expect(strict.summary).toContain('(--strict: warnings fail)');
    const typo = runAction(ws, { files: 'exports/gap.csv', strict: 'yes' });
    expect(typo.code).toBe(2);
    expect(typo.stdout).toContain("::error title=alliance validate::the strict input must be true or false (got 'yes')");
  });

  it('schema: the files are checked against it', () => {
    const ws = workspace({
      'exports/a.csv': GOOD,
      'schema.yaml':
        'fields:\n  - name: client_id\n  - name: session\n    type: integer\n  - name: date\n    type: date\n  - name: srs\n    type: number\n  - name: site\n',
    });
    const r = runAction(ws, { files: 'exports/a.csv', schema: 'schema.yaml', today: '2025-01-01' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/title=schema\.missing-field::/);
  });

  it('an unreadable file: exit 2, status fatal, the other files still validated', () => {
    const ws = workspace({ 'exports/a.csv': GOOD, 'exports/empty.csv': '' });
    const r = runAction(ws, { files: 'exports/*.csv', today: '2025-01-01' });
    expect(r.code).toBe(2);
    expect(r.outputs).toBe('status=fatal\n');
    expect(r.stdout).toMatch(/^::error file=exports\/empty\.csv,title=file\.unreadable::file is empty/m);
    expect(r.summary).toContain('`exports/a.csv` (2 rows, passed), `exports/empty.csv` (not readable)');
  });

  it('sarif: also writes a SARIF log; the step keeps the exit code of the github run', () => {
    const ws = workspace({ 'exports/b.csv': BAD });
    const r = runAction(ws, { files: 'exports/b.csv', sarif: 'validate.sarif', today: '2025-01-01' });
    expect(r.code).toBe(1);
    const log = JSON.parse(readFileSync(path.join(ws, 'validate.sarif'), 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(validateSarif(log)).toEqual([]);
    expect(log.runs[0].results.map((x) => x.ruleId)).toEqual(['value.out-of-range']);
  });

  it('config and args inputs reach the command', () => {
    const ws = workspace({ 'exports/a.csv': 'pid,session,date,srs\nC1,1,2024-01-08,30\n', 'alliance.yaml': 'files: [exports/a.csv]\n' });
    const r = runAction(ws, { config: 'alliance.yaml', args: '--client pid', today: '2025-01-01' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Files listed in a config are taken relative to it (and shown as resolved).
    expect(r.summary).toMatch(/exports\/a\.csv` \(1 rows, passed\)/);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    language: string;
    files: string;
    pass_filenames: boolean;
  }[];

  it('defines the alliance-validate hook on the bin the package installs', () => {
    expect(hooks.map((h) => h.id)).toEqual(['alliance-validate']);
    const [hook] = hooks;
    expect(hook.language).toBe('node');
    expect(hook.pass_filenames).toBe(true);
    const [bin, ...args] = hook.entry.split(' ');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain(bin);
    expect(args).toEqual(['validate']);
    const re = new RegExp(hook.files);
    for (const f of ['exports/a.csv', 'b.tsv', 'c.xlsx', 'd.sav', 'e.parquet', 'f.csv.gz']) expect(re.test(f), f).toBe(true);
    for (const f of ['README.md', 'schema.yaml', 'notes.txt']) expect(re.test(f), f).toBe(false);
  });

  it('its command line, with the staged files appended as pre-commit does, stops a commit with errors', () => {
    const [, ...args] = hooks[0].entry.split(' ');
    const ws = workspace({ 'a.csv': GOOD, 'b.csv': BAD });
    expect(runBinary([...args, 'a.csv', '--today', '2025-01-01'], { cwd: ws }).code).toBe(0);
    const bad = runBinary([...args, 'a.csv', 'b.csv'], { cwd: ws });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('value.out-of-range');
  });
});
