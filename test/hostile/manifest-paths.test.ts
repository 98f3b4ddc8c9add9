/**
 * Issue 9.8: --reproducible is reproducible across output folders and working folders; no
 * output records an absolute path or the output folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-manifest-'));
  mkdirSync(path.join(tmp, 'cfg', 'data'), { recursive: true });
  copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(tmp, 'cfg', 'data', 'demo.csv'));
  const yaml = readFileSync(path.join(ROOT, 'fixtures/report.yaml'), 'utf8').replace('files: [demo.csv]', 'files: [data/demo.csv]');
  writeFileSync(path.join(tmp, 'cfg', 'report.yaml'), yaml);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function readDir(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((n) => [n, readFileSync(path.join(dir, n))]),
  );
}

describe('manifest paths', () => {
  it('two --reproducible runs into different folders, from different working folders, are byte-identical', async () => {
    const a = path.join(tmp, 'out-a');
    const b = path.join(tmp, 'deeper', 'out-b');
    const ra = await runInProcess(['report', '--config', path.join(tmp, 'cfg', 'report.yaml'), '--out', a, '--reproducible']);
    const rb = await runInProcess(['report', '--config', 'cfg/report.yaml', '--out', 'deeper/out-b', '--reproducible'], { cwd: tmp });
    expect(ra.code).toBe(0);
    expect(rb.code).toBe(0);
    const fa = readDir(a);
    const fb = readDir(b);
    expect([...fb.keys()]).toEqual([...fa.keys()]);
    for (const [name, bytes] of fa) expect(fb.get(name)!.equals(bytes), name).toBe(true);
  });

  it('no output file holds an absolute path, the output folder or the working folder', async () => {
    const out = path.join(tmp, 'out-c');
    const r = await runInProcess(['report', '--config', path.join(tmp, 'cfg', 'report.yaml'), '--out', out]);
    expect(r.code).toBe(0);
    for (const [name, bytes] of readDir(out)) {
      const text = bytes.toString('utf8');
      expect(text, name).not.toContain(tmp);
      expect(text, name).not.toContain('out-c');
    }
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(m.config.path).toBe('report.yaml');
    expect(m.inputs[0].path).toBe('data/demo.csv');
    expect(m.options.out).toBeUndefined();
  });
});
