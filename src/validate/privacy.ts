/**
 * Direct identifiers: column names and cell values that look like names, emails, phone
 * numbers, addresses, national ids, dates of birth or free-text notes. The tool's inputs
 * must be de-identified, so every hit is an error.
 *
 * Value checks are on the hot path (every text cell of every row), so each pattern sits
 * behind a cheap prefilter computed in one pass over the characters: '@' for emails, a
 * digit count for phone and id numbers, a space for addresses and free text. Short cells
 * without any of these never reach a regular expression.
 *
 * The value rules (and masking) live in src/privacy/values.ts, below the dataset layer,
 * which also uses them to show identifier-like ids as pseudonyms (src/dataset/pseudonyms.ts).
 */

export * from '../privacy/values.js';
import type { IdentifierKind } from '../privacy/words.js';

export interface ColumnHit {
  /** What the column name suggests (its words: src/privacy/words.ts). */
  kind: IdentifierKind;
  /** True for date-of-birth columns: their date values are checked as dates of birth. */
  dob: boolean;
}

/** Splits a header into lowercase words: "clientFirstName" -> ["client","first","name"]. */
export function headerWords(header: string): string[] {
  return header
    .normalize('NFKD')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Whole-header (joined words) spellings. */
const JOINED: Record<string, IdentifierKind> = {
  name: 'name',
  fullname: 'name',
  firstname: 'name',
  lastname: 'name',
  surname: 'name',
  forename: 'name',
  givenname: 'name',
  familyname: 'name',
  middlename: 'name',
  clientname: 'name',
  patientname: 'name',
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  phone: 'phone',
  phonenumber: 'phone',
  telephone: 'phone',
  tel: 'phone',
  mobile: 'phone',
  mobilenumber: 'phone',
  cellphone: 'phone',
  address: 'address',
  street: 'address',
  streetaddress: 'address',
  postcode: 'postcode',
  postalcode: 'postcode',
  zip: 'postcode',
  zipcode: 'postcode',
  dob: 'date-of-birth',
  dateofbirth: 'date-of-birth',
  birthdate: 'date-of-birth',
  birthday: 'date-of-birth',
  ssn: 'national-id',
  socialsecuritynumber: 'national-id',
  nhsnumber: 'national-id',
  nhsno: 'national-id',
  nhsnum: 'national-id',
  nationalid: 'national-id',
  nationalidnumber: 'national-id',
  insurancenumber: 'national-id',
  nationalinsurancenumber: 'national-id',
  nino: 'national-id',
  notes: 'free-text',
  note: 'free-text',
  comment: 'free-text',
  comments: 'free-text',
  freetext: 'free-text',
  remarks: 'free-text',
};

/** Single words that mark a column wherever they appear in its header. */
const WORDS: Record<string, IdentifierKind> = {
  surname: 'name',
  forename: 'name',
  firstname: 'name',
  lastname: 'name',
  email: 'email',
  phone: 'phone',
  telephone: 'phone',
  mobile: 'phone',
  address: 'address',
  street: 'address',
  postcode: 'postcode',
  zipcode: 'postcode',
  dob: 'date-of-birth',
  birthdate: 'date-of-birth',
  ssn: 'national-id',
  notes: 'free-text',
  comments: 'free-text',
};

/** Word pairs (adjacent) that mark a column. */
const PAIRS: Record<string, IdentifierKind> = {
  'first name': 'name',
  'last name': 'name',
  'given name': 'name',
  'family name': 'name',
  'full name': 'name',
  'middle name': 'name',
  'client name': 'name',
  'patient name': 'name',
  'date birth': 'date-of-birth', // "date of birth" once "of" is dropped
  'birth date': 'date-of-birth',
  'nhs number': 'national-id',
  'nhs no': 'national-id',
  'national id': 'national-id',
  'insurance number': 'national-id',
  'social security': 'national-id',
  'free text': 'free-text',
  'zip code': 'postcode',
  'postal code': 'postcode',
  'post code': 'postcode',
};

/** Does this header name suggest direct identifiers? */
export function identifierColumn(header: string): ColumnHit | null {
  const words = headerWords(header);
  if (words.length === 0) return null;
  const joined = words.join('');
  let what: IdentifierKind | undefined = JOINED[joined];
  if (!what) {
    for (const w of words) {
      if (WORDS[w]) {
        what = WORDS[w];
        break;
      }
    }
  }
  if (!what) {
    const content = words.filter((w) => w !== 'of' && w !== 'the');
    for (let i = 0; i + 1 < content.length; i++) {
      const p = PAIRS[`${content[i]} ${content[i + 1]}`];
      if (p) {
        what = p;
        break;
      }
    }
  }
  if (!what) return null;
  return { kind: what, dob: what === 'date-of-birth' };
}
