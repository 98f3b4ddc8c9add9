import { describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.js';
import { closest, mapFile } from '../../src/dataset/mapping.js';
import type { ReadOptions } from '../../src/dataset/types.js';

const map = (header: string[], opts: ReadOptions = {}) => mapFile(header, opts, 'x.csv');
const err = (header: string[], opts: ReadOptions = {}): string => {
  try {
    map(header, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).format();
  }
  throw new Error('expected a UserError');
};

describe('client column detection', () => {
  test.each(['client_id', 'Client ID', 'client', 'CLIENT-ID', 'patient', 'patient_id', 'Participant', 'subject', 'Client #', 'Patient No.'])(
    '%j is the client',
    (h) => {
      const m = map(['x', h, 'srs']);
      expect(m.client).toEqual({ name: h, index: 1, how: 'detected' });
      expect(m.notes[0]).toBe(`client <- '${h}' (detected)`);
    },
  );
  test("'id' only when nothing better", () => {
    expect(map(['id', 'srs']).client.name).toBe('id');
    expect(map(['id', 'client_id', 'srs']).client.name).toBe('client_id');
  });
  test('two candidates: UserError naming both and the flag', () => {
    const msg = err(['client', 'patient_id', 'srs']);
    expect(msg).toContain("'client'");
    expect(msg).toContain("'patient_id'");
    expect(msg).toContain('--client');
    expect(msg).toMatch(/^x\.csv:1: /);
  });
  test('the flag resolves the ambiguity', () => {
    const m = map(['client', 'patient_id', 'srs'], { client: 'patient_id' });
    expect(m.client).toEqual({ name: 'patient_id', index: 1, how: 'flag' });
    expect(m.notes[0]).toBe("client <- 'patient_id' (--client)");
  });
  test('no client column is an error', () => {
    const msg = err(['foo', 'srs']);
    expect(msg).toContain('no client id column');
    expect(msg).toContain('--client');
  });
  test.each([
    ['a group', { groups: ['client_id'] }],
    ['a measure', { outcome: ['client_id'] }],
    ['the therapist', { therapist: 'client_id' }],
  ])('a client column taken as %s is named, not reported missing', (_what, opts: ReadOptions) => {
    const msg = err(['client_id', 'session', 'srs'], opts);
    expect(msg).toContain(
      "x.csv:1:client_id: column 'client_id' looks like the client id but is given another role (a measure, a group or --by column, or --session, --date or --therapist)",
    );
    expect(msg).not.toContain('no client id column');
  });
});

describe('other key columns', () => {
  test.each(['session', 'session_number', 'Session #', 'session_no', 'visit', 'sess', 'Session Nr', 'Appointment No'])('%j is the session', (h) => {
    expect(map(['client', h]).session?.name).toBe(h);
  });
  test.each(['date', 'session_date', 'Visit Date', 'appointment_date'])('%j is the date', (h) => {
    expect(map(['client', h]).date?.name).toBe(h);
  });
  test.each(['therapist', 'therapist_id', 'Clinician', 'provider', 'counsellor', 'Counselor'])('%j is the therapist', (h) => {
    expect(map(['client', h]).therapist?.name).toBe(h);
  });
  test('two session candidates', () => {
    const msg = err(['client', 'session', 'visit']);
    expect(msg).toContain("'session', 'visit'");
    expect(msg).toContain('--session');
  });
  test('flag naming a missing column: file, column, headers and a suggestion', () => {
    const msg = err(['client', 'session_no', 'srs'], { session: 'sesion_no' });
    expect(msg).toContain("column 'sesion_no' (from --session) is not in the header");
    expect(msg).toContain("Did you mean 'session_no'?");
    expect(msg).toContain("'client', 'session_no', 'srs'");
    expect(msg).toMatch(/^x\.csv:1: /);
  });
  test('flags match headers case- and punctuation-insensitively', () => {
    expect(map(['Client ID', 'srs'], { client: 'client_id' }).client.name).toBe('Client ID');
  });
  test('a detected role never takes a column named by another flag', () => {
    const m = map(['client', 'patient', 'srs'], { groups: ['patient'] });
    expect(m.client.name).toBe('client');
    expect(m.groups[0]?.name).toBe('patient');
  });
});

describe('measures', () => {
  test('instrument headers are detected with their construct', () => {
    const m = map(['client', 'PHQ-9 total', 'SRS', 'ors_total']);
    expect(m.measures.map((x) => [x.name, x.role, x.instrument?.id, x.instrumentHow])).toEqual([
      ['SRS', 'alliance', 'SRS', 'detected'],
      ['PHQ-9 total', 'outcome', 'PHQ-9', 'detected'],
      ['ors_total', 'outcome', 'ORS', 'detected'],
    ]);
    expect(m.notes).toContain('SRS -> SRS (alliance, detected from header)');
  });
  test("generic 'alliance' / 'outcome' headers are plain measures", () => {
    const m = map(['client', 'Outcome', 'alliance']);
    expect(m.measures.map((x) => [x.name, x.role, x.instrument])).toEqual([
      ['alliance', 'alliance', null],
      ['Outcome', 'outcome', null],
    ]);
    expect(m.notes.some((n) => n.includes('no range checks'))).toBe(true);
  });
  test('a flag column with no instrument is a plain numeric measure', () => {
    const m = map(['client', 'score', 'srs'], { outcome: ['score'] });
    const score = m.measures.find((x) => x.name === 'score')!;
    expect(score).toMatchObject({ role: 'outcome', instrument: null, instrumentHow: 'none', how: 'flag' });
    expect(m.notes).toContain('score -> plain numeric outcome measure (no instrument: no range checks, --outcome)');
    // srs is still detected (alliance not given by flag)
    expect(m.measures.map((x) => x.name)).toEqual(['srs', 'score']);
  });
  test('a role flag replaces detection for that role', () => {
    const m = map(['client', 'srs', 'wai_sr', 'phq9'], { alliance: ['wai_sr'] });
    expect(m.measures.map((x) => x.name)).toEqual(['wai_sr', 'phq9']);
  });
  test('--instrument binds a column (role from the instrument)', () => {
    const m = map(['client', 'score', 'a'], { instruments: { score: 'phq9' }, alliance: ['a'] });
    const s = m.measures.find((x) => x.name === 'score')!;
    expect(s).toMatchObject({ role: 'outcome', instrumentHow: 'flag' });
    expect(s.instrument?.id).toBe('PHQ-9');
  });
  test('--instrument with an unknown id lists the valid ids', () => {
    const msg = err(['client', 'score'], { instruments: { score: 'PHQ-10' } });
    expect(msg).toContain("unknown instrument 'PHQ-10'");
    expect(msg).toContain('PHQ-9');
    expect(msg).toContain('SRS');
  });
  test('two columns for the same instrument are ambiguous', () => {
    const msg = err(['client', 'srs', 'SRS total']);
    expect(msg).toContain("'srs', 'SRS total'");
    expect(msg).toContain('--alliance');
  });
  test('an instrument column given under the other role is an error', () => {
    expect(err(['client', 'phq9'], { alliance: ['phq9'] })).toContain('PHQ-9, an outcome measure');
  });
  test('measure flag columns absent from this file are listed, not errors', () => {
    const m = map(['client', 'session', 'srs'], { outcome: ['ors'] });
    expect(m.absent).toEqual(['ors']);
  });
  test('config-given columns say so', () => {
    const m = map(['client', 'score'], { outcome: ['score'], origin: { outcome: 'config' } });
    expect(m.measures[0].how).toBe('config');
    expect(m.notes[1]).toContain('--outcome in config');
  });
  test('no measures at all is allowed', () => {
    expect(map(['client', 'session']).measures).toEqual([]);
  });
  test('instrument overrides apply to bound instruments', () => {
    const m = map(['client', 'ors'], { instrumentOverrides: { ORS: { range: [0, 50] } } });
    expect(m.measures[0].instrument?.range.value).toEqual([0, 50]);
  });
});

test('closest', () => {
  expect(closest('clinet', ['client', 'session'])).toBe('client');
  expect(closest('zzz', ['client', 'session'])).toBeUndefined();
});
