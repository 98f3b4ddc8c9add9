/**
 * One table of words for the kinds of direct identifier (src/privacy/words.ts): validate's
 * value and column findings and the dataset layer's pseudonym notes all name a kind with it.
 */
import { describe, expect, it } from 'vitest';
import { KIND_WORDS, countOf, type IdentifierKind } from '../../src/privacy/words.js';
import { kindText } from '../../src/privacy/values.js';
import { IdGuard } from '../../src/dataset/pseudonyms.js';
import { validateJson } from '../validate/helpers.js';

describe('the words for identifier kinds', () => {
  it('gives every kind its article form, one and many', () => {
    const kinds = Object.keys(KIND_WORDS) as IdentifierKind[];
    expect(kinds.sort()).toEqual(['address', 'date-of-birth', 'email', 'free-text', 'name', 'national-id', 'phone', 'postcode']);
    for (const k of kinds) {
      const w = KIND_WORDS[k];
      expect(w.a.endsWith(w.one) || w.a === 'free text', k).toBe(true);
      expect(w.many, k).not.toBe(w.one);
    }
    expect(countOf('email', 1)).toBe('1 email address');
    expect(countOf('date-of-birth', 2)).toBe('2 dates of birth');
  });

  it('is what a value finding says', () => {
    expect(kindText('email')).toBe('an email address');
    expect(kindText('free-text')).toBe('free text');
  });

  it('is what a pseudonym note says', () => {
    const g = new IdGuard('client', true, null);
    for (const v of ['jane@example.org', 'joe@example.org', 'Jane Smith', 'the client said that the week had been very hard at home']) g.display(v);
    expect(g.note('client_id')).toContain("(2 email addresses, 1 person's name, 1 free-text note)");
  });

  it("is what a column finding says (people's names, street addresses or postcodes, free-text notes)", async () => {
    const csv = 'client,session,srs,first_name,address,notes\na,1,30,x,y,z\n';
    const r = await validateJson(csv);
    const messages = r.doc.findings.filter((f) => f.code === 'privacy.identifier-column').map((f) => f.message);
    expect(messages).toEqual([
      "column name suggests it holds people's names (direct identifiers); drop it before export, inputs must be de-identified",
      'column name suggests it holds street addresses or postcodes (direct identifiers); drop it before export, inputs must be de-identified',
      'column name suggests it holds free-text notes (direct identifiers); drop it before export, inputs must be de-identified',
    ]);
  });
});
