/**
 * `alliance instruments`: golden files hold the registry as rendered. They are data of the
 * registry (no computed numbers); regenerate after a deliberate registry change with
 * UPDATE_GOLDEN=1 npx vitest run test/cli/instruments.test.ts and review with git diff.
 */
import { validateJsonDocument } from '../helpers/schemas.js';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInProcess } from '../helpers/cli.js';
import { INSTRUMENTS } from '../../src/instruments/registry.js';

const dir = fileURLToPath(new URL('./golden/instruments/', import.meta.url));

function golden(name: string, actual: string): void {
  const path = dir + name;
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('alliance instruments', () => {
  it('lists the registry as a table (golden)', async () => {
    const r = await runInProcess(['instruments', '--no-color']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('\u001b[');
    golden('list.table.txt', r.stdout);
  });

  it('lists the registry as JSON with full records (golden, shape checked)', async () => {
    const r = await runInProcess(['instruments', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { instruments: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['command', 'schema', 'instruments']);
    expect(validateJsonDocument('instruments', doc)).toEqual([]);
    expect(doc.instruments.map((i) => i.id)).toEqual(INSTRUMENTS.map((i) => i.id));
    for (const i of doc.instruments) {
      for (const k of ['id', 'name', 'construct', 'items', 'item_range', 'range', 'integer', 'higher_is_better', 'aliases']) {
        expect(i, `${String(i.id)}.${k}`).toHaveProperty(k);
      }
      expect(i.range).toHaveProperty('source');
    }
    golden('list.json', r.stdout);
  });

  it('writes the summary table as CSV and Markdown', async () => {
    const csv = await runInProcess(['instruments', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,name,construct,items,range,better,cutoff,reliableChange,allianceDrop');
    expect(lines).toHaveLength(INSTRUMENTS.length + 1);
    expect(lines).toContain('PHQ-9,Patient Health Questionnaire-9,outcome,9 x 0-3,0-27,lower,>= 10,6,');
    const md = await runInProcess(['instruments', '--format', 'md']);
    expect(md.code).toBe(0);
    golden('list.md', md.stdout);
  });

  it('shows one instrument with its sources and aliases (case- and punctuation-insensitive id)', async () => {
    const r = await runInProcess(['instruments', 'phq9', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { instrument: { id: string; aliases: string[] } };
    expect(doc.instrument.id).toBe('PHQ-9');
    expect(doc.instrument.aliases).toContain('phq9total');
    const t = await runInProcess(['instruments', 'CORE-OM', '--no-color']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/Connell, Barkham, Stiles.* 2007/);
    expect(t.stdout).toMatch(/coreomtotal/);
    golden('core-om.table.txt', t.stdout);
  });

  it('rejects an unknown id with exit 2, one line naming the valid ids', async () => {
    const r = await runInProcess(['instruments', 'wai']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alliance: unknown instrument 'wai'\. Valid ids: SRS, WAI-SR, WAI-S, .*BDI-II\.$/);
  });

  it('rejects an unknown format with exit 2', async () => {
    const r = await runInProcess(['instruments', '--format', 'xml']);
    expect(r.code).toBe(2);
  });
});
