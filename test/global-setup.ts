/**
 * Some tests run the built CLI (bin/alliance.js -> dist/). `npm ci` builds dist/ once
 * (the `prepare` script); this setup rebuilds it only when it is missing or older than a
 * source file, so `npm test` after an edit tests the edited code, and CI builds once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
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

export default function setup(): void {
  if (staleOutputs(ROOT).length === 0) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    const out = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`the build failed (npm run build):\n${String(out.stdout ?? '')}${String(out.stderr ?? '')}`);
  }
}
