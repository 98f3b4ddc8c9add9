/**
 * Files listed in a --config are shown relative to the folder the command runs in, never as
 * the absolute path the loader resolved them to (it leaked the user's directory layout into
 * validate's step summary, JSON and every command's preface).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'alliance-cfgrel-'));
mkdirSync(path.join(root, 'project', 'data'), { recursive: true });
copyFileSync('fixtures/demo.csv', path.join(root, 'project', 'data', 'demo.csv'));
writeFileSync(path.join(root, 'project', 'data', 'c.yaml'), 'files: [demo.csv]\ntoday: 2025-07-01\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('config-listed files are shown relative to the working folder', () => {
  for (const argv of [['validate', '--format', 'json'], ['describe', '--format', 'json'], ['correlate']]) {
    it(argv[0], async () => {
      const r = await runInProcess([argv[0], '--config', 'data/c.yaml', ...argv.slice(1)], { cwd: path.join(root, 'project') });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('data/demo.csv');
      expect(r.stdout).not.toContain(root);
    });
  }
});
