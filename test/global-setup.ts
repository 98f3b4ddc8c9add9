/**
 * Some tests run the built CLI (bin/alliance.js -> dist/alliance.cjs, the bundle of dist/).
 * `npm ci` builds dist/ once (the `prepare` script: tsc, scripts/kernel.mjs, then
 * scripts/bundle.mjs); this setup rebuilds it only when it is missing or older than a
 * source file (the bundle: than its script, its loader or the compiled files; the row
 * kernel: than kernel/runs.ts or its script), so `npm test` after an edit tests the edited
 * code, and CI builds once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Source files (relative to src/) whose compiled file in dist/ is missing or older. */
export function staleOutputs(root: string): string[] {
  const stale: string[] = [];
  const config = statSync(path.join(root, 'tsconfig.json')).mtimeMs;
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(root, 'src', dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
        const built = existsSync(out) ? statSync(out).mtimeMs : -1;
        if (built < statSync(path.join(root, 'src', rel)).mtimeMs || built < config) stale.push(rel);
      }
    }
  };
  walk('');
  return stale.sort();
}

/** True when dist/alliance.cjs or its code cache is missing or older than what it is made from. */
export function staleBundle(root: string): boolean {
  const built = (f: string) => (existsSync(path.join(root, f)) ? statSync(path.join(root, f)).mtimeMs : -1);
  const made = Math.min(built('dist/alliance.cjs'), built('dist/alliance.cjs.cache'));
  return made < Math.max(built('scripts/bundle.mjs'), built('bin/load.js'), built('dist/cli/launch.js'), built('package-lock.json'));
}

/** True when the row kernel (dist/dataset/runs.wasm) is missing or older than its source or its build script. */
export function staleKernel(root: string): boolean {
  const built = (f: string) => (existsSync(path.join(root, f)) ? statSync(path.join(root, f)).mtimeMs : -1);
  return built('dist/dataset/runs.wasm') < Math.max(built('kernel/runs.ts'), built('scripts/kernel.mjs'));
}

function node(args: string[]): void {
  try {
    execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    const out = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`the build failed (npm run build):\n${String(out.stdout ?? '')}${String(out.stderr ?? '')}`);
  }
}

/**
 * Builds what is stale, and gives the run its own temporary folder (TMPDIR for every test
 * worker and every CLI it starts), removed with all it holds when the run ends: tests make
 * scratch folders (about 1,300 in a full run) and not every one removes its own.
 * The program's own copies are removed by the program (test/io/private-copies.test.ts).
 */
export default function setup(): () => void {
  const saved = process.env.TMPDIR;
  const runTmp = mkdtempSync(path.join(tmpdir(), 'alliance-tests-'));
  process.env.TMPDIR = runTmp;
  build();
  return () => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(runTmp, { recursive: true, force: true });
  };
}

function build(): void {
  const compile = staleOutputs(ROOT).length > 0;
  if (compile) node([createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')]);
  if (staleKernel(ROOT)) node([path.join(ROOT, 'scripts/kernel.mjs')]);
  // tsc writes every file of dist/ (dist/cli/launch.js included): the bundle is then stale.
  if (compile || staleBundle(ROOT)) node([path.join(ROOT, 'scripts/bundle.mjs')]);
}
