/**
 * Provenance of every instrument value (issue 9): each range, direction, cut-off,
 * reliable-change value and alliance-drop rule in the registry names a primary source (a
 * validation paper or manual with its year, DOI where one exists) or, for a service rule, the
 * document that sets it and the word "convention". No web summaries, no file the user does
 * not have. And the documentation states the cut-off sides the code uses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INSTRUMENTS, getInstrument, withOverrides } from '../../src/instruments/registry.js';
import type { Instrument } from '../../src/instruments/types.js';

/** Web summaries and files outside the repository that a source must never cite. */
const BANNED = [
  /hiboop/i,
  /cbtwatch/i,
  /everybodywiki/i,
  /novopsych/i,
  /getrivet/i,
  /openfit/i,
  /wikipedia/i,
  /DOMAIN\.md/i,
  /\bunverified\b/i,
  /https?:\/\//i,
  /\bwww\./i,
  /\.com\b/i,
];

function sourcedValues(inst: Instrument): { field: string; source: string }[] {
  const out = [
    { field: 'range', source: inst.range.source },
    { field: 'direction', source: inst.directionSource },
  ];
  if (inst.cutoff) out.push({ field: 'cutoff', source: inst.cutoff.source });
  if (inst.reliableChange) out.push({ field: 'reliableChange', source: inst.reliableChange.source });
  if (inst.allianceDrop) out.push({ field: 'allianceDrop', source: inst.allianceDrop.source });
  return out;
}

describe('instrument provenance', () => {
  it('the banned-source check itself catches web summaries and outside files', () => {
    for (const bad of [
      'Miller 2003 as summarised by hiboop.com',
      'PCOMS convention (unverified: DOMAIN.md)',
      'see https://example.org',
      'novopsych.com (2020)',
    ]) {
      expect(
        BANNED.some((re) => re.test(bad)),
        bad,
      ).toBe(true);
    }
    expect(BANNED.some((re) => re.test('Kroenke, Spitzer & Williams 2001, doi:10.1046/j.1525-1497.2001.016009606.x'))).toBe(false);
  });

  for (const inst of INSTRUMENTS) {
    it(`${inst.id}: every value names a dated primary source or a convention, and no banned host or file`, () => {
      for (const { field, source } of sourcedValues(inst)) {
        const where = `${inst.id} ${field}: ${source}`;
        expect(source.trim().length, where).toBeGreaterThan(20);
        for (const re of BANNED) expect(source, where).not.toMatch(re);
        // An author-year citation (or a dated convention document).
        expect(source, where).toMatch(/\b(19|20)\d\d\b/);
        // A DOI, when given, is well formed.
        for (const doi of source.match(/doi:\S+/g) ?? []) expect(doi.replace(/[.,;)]+$/, ''), where).toMatch(/^doi:10\.\d{4,9}\/\S+$/);
      }
      // Notes and variants follow the same rule where they cite.
      for (const text of [inst.notes ?? '', ...(inst.variants ?? []).map((v) => v.note)]) {
        for (const re of BANNED) expect(text, `${inst.id} notes`).not.toMatch(re);
      }
    });
  }

  it('service rules say "convention" and name the document that sets them', () => {
    const conventions: [string, 'cutoff' | 'reliableChange' | 'allianceDrop', RegExp][] = [
      ['SRS', 'cutoff', /PCOMS.*Miller & Duncan 2004/],
      ['SRS', 'allianceDrop', /PCOMS.*Miller & Duncan 2004/],
      ['PHQ-9', 'reliableChange', /IAPT.*Data Handbook/],
      ['GAD-7', 'reliableChange', /IAPT.*Data Handbook/],
      ['GAD-7', 'cutoff', /IAPT.*Data Handbook/],
    ];
    for (const [id, field, doc] of conventions) {
      const v = getInstrument(id)![field]!;
      expect(v.source, `${id} ${field}`).toMatch(/^convention \(/);
      expect(v.source, `${id} ${field}`).toMatch(doc);
    }
  });

  it('cites the primary papers with their DOIs', () => {
    const dois: Record<string, string> = {
      'PHQ-9': 'doi:10.1046/j.1525-1497.2001.016009606.x',
      'GAD-7': 'doi:10.1001/archinte.166.10.1092',
      'WAI-SR': 'doi:10.1080/10503300500352500',
      'CORE-10': 'doi:10.1080/14733145.2012.729069',
      'CORE-OM': 'doi:10.1192/bjp.180.1.51',
      K10: 'doi:10.1017/S0033291702006074',
    };
    for (const [id, doi] of Object.entries(dois)) expect(getInstrument(id)!.range.source, id).toContain(doi);
    expect(getInstrument('ORS')!.range.source).toMatch(/^Miller, Duncan, Brown, Sparks & Claud 2003\b/);
    expect(getInstrument('SRS')!.range.source).toMatch(/^Duncan, Miller, Sparks, Claud, Reynolds, Brown & Johnson 2003\b/);
    expect(getInstrument('OQ-45')!.range.source).toMatch(/Lambert.* 2004, Administration and Scoring Manual for the OQ-45\.2/);
    // The Jacobson & Truax (1991) method behind the ORS cut-off and RCI.
    expect(getInstrument('ORS')!.reliableChange!.source).toContain('doi:10.1037/0022-006X.59.1.12');
  });

  it('an override replaces the direction source with "config override"', () => {
    const phq = withOverrides(getInstrument('PHQ-9')!, { higherIsBetter: true });
    expect(phq.higherIsBetter).toBe(true);
    expect(phq.directionSource).toBe('config override');
    expect(withOverrides(getInstrument('PHQ-9')!, { cutoff: 11 }).directionSource).toBe(getInstrument('PHQ-9')!.directionSource);
  });
});

describe('one definition: the docs state the cut-off sides the registry uses', () => {
  const trend = readFileSync(new URL('../../docs/trend.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  for (const id of ['PHQ-9', 'ORS']) {
    it(`docs/trend.md gives the ${id} cut-off with the registry's side`, () => {
      const c = getInstrument(id)!.cutoff!;
      expect(trend).toContain(`${id} ${c.clinicalIf} ${c.value} is clinical`);
    });
  }
});
