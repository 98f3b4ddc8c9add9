import { describe, expect, it } from 'vitest';
import { classifyValue, identifierColumn, isNhsNumber, maskValue } from '../../src/validate/privacy.js';

describe('identifierColumn', () => {
  const hits: [string, string][] = [
    ['name', 'name'],
    ['Client Name', 'name'],
    ['first_name', 'name'],
    ['LastName', 'name'],
    ['surname', 'name'],
    ['E-mail', 'email'],
    ['email_address', 'email'],
    ['Phone', 'phone'],
    ['mobile number', 'phone'],
    ['home_address', 'address'],
    ['Street', 'address'],
    ['postcode', 'postcode'],
    ['ZIP', 'postcode'],
    ['zip code', 'postcode'],
    ['DOB', 'date-of-birth'],
    ['Date of Birth', 'date-of-birth'],
    ['birthdate', 'date-of-birth'],
    ['SSN', 'national-id'],
    ['NHS number', 'national-id'],
    ['national_id', 'national-id'],
    ['National Insurance Number', 'national-id'],
    ['notes', 'free-text'],
    ['Comments', 'free-text'],
    ['free_text', 'free-text'],
  ];
  for (const [h, what] of hits) {
    it(`flags '${h}'`, () => expect(identifierColumn(h)?.kind).toBe(what));
  }
  for (const h of ['client_id', 'session', 'date', 'srs', 'phq9', 'therapist_id', 'site_name', 'instrument name', 'birth_year', 'age', 'zipped']) {
    it(`does not flag '${h}'`, () => expect(identifierColumn(h)).toBeNull());
  }
  it('marks date-of-birth columns', () => {
    expect(identifierColumn('dob')?.dob).toBe(true);
    expect(identifierColumn('email')?.dob).toBe(false);
  });
});

describe('isNhsNumber (modulus 11)', () => {
  it('accepts valid check digits and rejects others', () => {
    // 943 476 5919 is the NHS Data Dictionary example; check digit computed by hand:
    // 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2; 11-2 = 9.
    expect(isNhsNumber('9434765919')).toBe(true);
    expect(isNhsNumber('9434765918')).toBe(false);
    expect(isNhsNumber('123456789')).toBe(false);
  });
});

describe('classifyValue', () => {
  const cases: [string, ReturnType<typeof classifyValue>, boolean?][] = [
    ['jane.roe@example.org', 'email'],
    ['contact: jane.roe@example.org please', 'email'],
    ['north@', null],
    ['123-45-6789', 'national-id'],
    ['000-12-3456', null],
    ['943 476 5919', 'national-id'],
    ['9434765919', null], // bare: judged per column (RawRules)
    ['+44 7700 900123', 'phone'],
    ['(555) 123-4567', 'phone'],
    ['07700900123', 'phone'],
    ['02079460000', 'phone'],
    ['00012345678', null], // zero-padded id
    ['0001234567', null],
    ['1234567890', null], // bare digits not starting with 0: an id, not a phone number
    ['2024-01-15', null],
    ['2024-01-15 10:30', null],
    ['12 High Street', 'address'],
    ['221B Baker St', 'address'],
    ['SW1A 1AA', 'address'],
    ['High Street clinic', null],
    ['C000123', null],
    ['36.5', null],
    ['talked about the argument with her brother at the weekend again', 'free-text'],
    ['follow-up in two weeks', null],
    ['1980-05-01', 'date-of-birth', true],
    ['01/05/1980', 'date-of-birth', true],
    ['1980-05-01', null, false],
    ['1980', null, true],
  ];
  for (const [v, kind, dob] of cases) {
    it(`${JSON.stringify(v)}${dob ? ' (dob column)' : ''} -> ${kind}`, () => expect(classifyValue(v, dob ?? false)).toBe(kind));
  }
});

describe('maskValue', () => {
  it('never echoes the identifier in full', () => {
    expect(maskValue('jane.roe@example.org', 'email')).toBe('j***@e***.org');
    expect(maskValue('123-45-6789', 'national-id')).toBe('***-**-**89');
    expect(maskValue('12 High Street', 'address')).toBe('** H*** S*****');
    expect(maskValue('+44 7700 900123', 'phone')).toBe('+** **** ****23');
    expect(maskValue('talked about the argument with her brother', 'free-text')).toBe('t***** ... (7 words)');
    expect(maskValue('x'.repeat(100))).toBe('x' + '*'.repeat(39) + '...');
  });
});
