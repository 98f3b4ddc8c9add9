/**
 * Monthly runs without editing the config (issue 13): --from/--to and report.filters take
 * dates and relative forms resolved against --as-of; a period selects the clients active in
 * it and keeps their sessions up to its end. All against a fixed as-of day.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asOfDay, dayOf, isoOf, resolveDay, resolvePeriod } from '../../src/report/batch/period.js';
import { runInProcess } from '../helpers/cli.js';

const AS_OF = dayOf('2025-01-15');
const r = (text: string, end: 'from' | 'to', asOf = AS_OF) => {
  const d = resolveDay(text, asOf, end);
  return d === null ? null : isoOf(d);
};

describe('relative dates against a fixed as-of day', () => {
  it('calendar periods: first day for from, last day for to', () => {
    expect([r('last-month', 'from'), r('last-month', 'to')]).toEqual(['2024-12-01', '2024-12-31']);
    expect([r('this-month', 'from'), r('this-month', 'to')]).toEqual(['2025-01-01', '2025-01-31']);
    expect([r('this-quarter', 'from'), r('this-quarter', 'to')]).toEqual(['2025-01-01', '2025-03-31']);
    expect([r('last-quarter', 'from'), r('last-quarter', 'to')]).toEqual(['2024-10-01', '2024-12-31']);
    expect([r('last-year', 'from'), r('last-year', 'to')]).toEqual(['2024-01-01', '2024-12-31']);
    expect([r('this-year', 'from'), r('this-year', 'to')]).toEqual(['2025-01-01', '2025-12-31']);
    const may = dayOf('2024-05-20');
    expect([r('last-quarter', 'from', may), r('last-quarter', 'to', may), r('last-month', 'to', dayOf('2024-03-10'))]).toEqual([
      '2024-01-01',
      '2024-03-31',
      '2024-02-29',
    ]);
  });

  it('offsets back from the as-of day; months keep the day, clamped to the month', () => {
    expect(r('-3 months', 'from')).toBe('2024-10-15');
    expect(r('-1 month', 'from', dayOf('2024-03-31'))).toBe('2024-02-29');
    expect(r('-1 year', 'from', dayOf('2024-02-29'))).toBe('2023-02-28');
    expect(r('-2 weeks', 'from')).toBe('2025-01-01');
    expect(r('-10 days', 'to')).toBe('2025-01-05');
    expect([r('today', 'to'), r('yesterday', 'to'), r('2024-06-30', 'from')]).toEqual(['2025-01-15', '2025-01-14', '2024-06-30']);
    expect([r('next-month', 'from'), r('2024-02-30', 'from'), r('+3 months', 'from'), r('3 months', 'from')]).toEqual([null, null, null, null]);
  });

  it('the as-of day: --as-of, else the config today, else SOURCE_DATE_EPOCH, else now', () => {
    const now = new Date('2030-06-01T12:00:00Z');
    expect(isoOf(asOfDay('2025-01-15', '2024-01-01', { SOURCE_DATE_EPOCH: '0' }, now))).toBe('2025-01-15');
    expect(isoOf(asOfDay(undefined, '2024-01-01', { SOURCE_DATE_EPOCH: '0' }, now))).toBe('2024-01-01');
    expect(isoOf(asOfDay(undefined, undefined, { SOURCE_DATE_EPOCH: '86400' }, now))).toBe('1970-01-02');
    expect(isoOf(asOfDay(undefined, undefined, {}, now))).toBe('2030-06-01');
    expect(() => asOfDay('soon', undefined, {}, now)).toThrow(/--as-of must be a date/);
  });

  it('flags win over the config; a period ending before it starts is an error naming both', () => {
    expect(resolvePeriod({ from: '2020-01-01', to: null }, { from: 'last-month', to: 'last-month' }, AS_OF)).toEqual({
      from: '2024-12-01',
      to: '2024-12-31',
      asOf: '2025-01-15',
      written: { from: 'last-month', to: 'last-month' },
    });
    expect(() => resolvePeriod({ from: 'this-month', to: 'last-month' }, {}, AS_OF)).toThrow(
      'the period ends before it starts: from this-month (2025-01-01) to last-month (2024-12-31), as of 2025-01-15',
    );
    expect(() => resolvePeriod({ from: null, to: null }, { from: 'soon' }, AS_OF)).toThrow(/--from must be a date YYYY-MM-DD, today, .* \(got 'soon'\)/);
  });
});

describe('alliance report --from last-month --to last-month', () => {
  it('reports the clients active in the month over their whole course up to its end, and says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-period-'));
    copyFileSync('fixtures/clinic/clinic.csv', path.join(dir, 'clinic.csv'));
    writeFileSync(path.join(dir, 'c.yaml'), 'files: [clinic.csv]\noutcome: [ors]\nreport:\n  sections: [describe, trend]\n  formats: [md, json]\n');
    const out = path.join(dir, 'out');
    const res = await runInProcess([
      'report',
      '--config',
      path.join(dir, 'c.yaml'),
      '--out',
      out,
      '--as-of',
      '2025-01-15',
      '--from',
      'last-month',
      '--to',
      'last-month',
    ]);
    expect(res.code, res.stderr).toBe(0);
    // Expected from the CSV itself: the clients with a session in December 2024, and all their sessions up to 2024-12-31.
    const rows = readFileSync('fixtures/clinic/clinic.csv', 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const active = new Set(rows.filter((x) => x[4] >= '2024-12-01' && x[4] <= '2024-12-31').map((x) => x[0]));
    const kept = rows.filter((x) => active.has(x[0]) && x[4] <= '2024-12-31');
    expect(active.size).toBeGreaterThan(5);
    expect(kept.length).toBeGreaterThan(rows.filter((x) => x[4] >= '2024-12-01' && x[4] <= '2024-12-31').length);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.sections.describe.clients).toBe(active.size);
    expect(results.sections.trend.input.rows).toBe(kept.length);
    expect(results.sections.trend.input.clients).toBe(active.size);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain(
      "clients with a session dated 2024-12-01 to 2024-12-31 (last-month to last-month as of 2025-01-15), each with all their dated sessions up to 2024-12-31: change is measured over the client's course up to the end of the period",
    );
  });

  it('report.filters takes the relative forms too; a wrong one names its line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-period-'));
    copyFileSync('fixtures/clinic/clinic.csv', path.join(dir, 'clinic.csv'));
    writeFileSync(
      path.join(dir, 'c.yaml'),
      'files: [clinic.csv]\ntoday: 2025-01-15\nreport:\n  sections: [describe]\n  formats: [json]\n  filters:\n    from: -3 months\n    to: yesterday\n',
    );
    const ok = await runInProcess(['report', '--config', path.join(dir, 'c.yaml'), '--out', path.join(dir, 'out')]);
    expect(ok.code, ok.stderr).toBe(0);
    const filters = JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8')).filters;
    expect([filters.from, filters.to, filters.as_of]).toEqual(['2024-10-15', '2025-01-14', '2025-01-15']);
    writeFileSync(path.join(dir, 'bad.yaml'), 'files: [clinic.csv]\nreport:\n  filters:\n    from: the-past\n');
    const bad = await runInProcess(['report', '--config', path.join(dir, 'bad.yaml'), '--out', path.join(dir, 'out2')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:4: 'report\.filters\.from' must be a date YYYY-MM-DD, today, .*For example 2024-01-01 or last-month\.\n$/);
  });
});
