/**
 * The one table of words for the kinds of direct identifier the tool names: validate's
 * findings (a value that "looks like an email address", a column whose name "suggests it
 * holds email addresses") and the pseudonym notes of the dataset layer ("2 email
 * addresses"). One table, so every message calls a kind the same.
 */
/** What a value is classified as (src/privacy/values.ts classifyValue). */
export type PrivacyKind = 'email' | 'phone' | 'address' | 'national-id' | 'date-of-birth' | 'free-text';

/**
 * A kind of direct identifier: the kinds a value is classified as (PrivacyKind), a
 * person's name (client and therapist ids), and a postcode (a column name only: a postcode
 * value counts as an address).
 */
export type IdentifierKind = PrivacyKind | 'name' | 'postcode';

export interface KindWords {
  /** With its article: "value looks like an email address". */
  a: string;
  /** One: "1 email address". */
  one: string;
  /** Several: "2 email addresses", "column name suggests it holds email addresses". */
  many: string;
}

export const KIND_WORDS: Readonly<Record<IdentifierKind, KindWords>> = {
  email: { a: 'an email address', one: 'email address', many: 'email addresses' },
  phone: { a: 'a phone number', one: 'phone number', many: 'phone numbers' },
  address: { a: 'a street address or postcode', one: 'street address or postcode', many: 'street addresses or postcodes' },
  postcode: { a: 'a postcode', one: 'postcode', many: 'postcodes' },
  'national-id': { a: 'a national id number', one: 'national id number', many: 'national id numbers' },
  'date-of-birth': { a: 'a date of birth', one: 'date of birth', many: 'dates of birth' },
  'free-text': { a: 'free text', one: 'free-text note', many: 'free-text notes' },
  name: { a: "a person's name", one: "person's name", many: "people's names" },
};

/** "1 email address", "3 phone numbers". */
export function countOf(kind: IdentifierKind, n: number): string {
  return `${n} ${n === 1 ? KIND_WORDS[kind].one : KIND_WORDS[kind].many}`;
}
