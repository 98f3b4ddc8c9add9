/**
 * Pseudonyms for identifier-like ids. Inputs must be de-identified, but exports do arrive
 * with emails or phone numbers as client ids, therapists' names as therapist ids or street
 * addresses as sites. Every output that names a client, therapist or group level would then
 * print them (per-client tables, random effects, group tables, findings, error messages). So
 * the dataset layer never hands such a value on: when an id is interned, a value that the
 * privacy rules flag (src/privacy/values.ts: email, phone, address, national id, free text;
 * for client and therapist ids also a person's name) is shown as a pseudonym instead, and the
 * mapping notes say how many were replaced. `--show-identifiers` (config `showIdentifiers:
 * true`) turns this off.
 *
 * The pseudonym is
 * - with ALLIANCE_PSEUDONYM_KEY set: a keyed hash, "[client 3f9a2b1c7d4e5f60]" (the first 64
 *   bits of HMAC-SHA-256 over the role and the value): the same id gets the same pseudonym in
 *   every run and every export made with that key, and nobody without the key can test a
 *   guess (an unkeyed hash of a phone number is reversed by trying every number);
 * - without a key: a number in order of first appearance, "[client 1]", "[client 2]", ...:
 *   stable for the same input (every command and the report agree), revealing nothing.
 *
 * Analyses work on interned indexes, so results are identical either way; only the names
 * shown change. docs/safety.md states the rule.
 */
import { nodeCrypto } from '../io/lazy-crypto.js';
import { classifyValue, looksLikePersonName } from '../privacy/values.js';
import { countOf, type IdentifierKind } from '../privacy/words.js';

/** The environment variable holding the pseudonym key. */
export const PSEUDONYM_KEY_ENV = 'ALLIANCE_PSEUDONYM_KEY';

/** Decides, per new id value, whether it is shown as itself or as a pseudonym. */
export class IdGuard {
  private n = 0;
  private readonly kinds = new Map<IdentifierKind, number>();

  /**
   * @param role how ids of this column are named in pseudonyms and notes ("client", "therapist", "site")
   * @param names also treat person names as identifiers (client and therapist ids only)
   * @param key the pseudonym key, or null for numbered pseudonyms
   */
  constructor(
    private readonly role: string,
    private readonly names: boolean,
    private readonly key: string | null,
  ) {}

  /** The pseudonym to show for `value`, or null when it is shown as it is. */
  display(value: string): string | null {
    const kind: IdentifierKind | null = classifyValue(value) ?? (this.names && looksLikePersonName(value) ? 'name' : null);
    if (kind === null) return null;
    this.n++;
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    if (this.key === null) return `[${this.role} ${this.n}]`;
    const h = nodeCrypto().createHmac('sha256', this.key).update(`${this.role}\u0000${value}`).digest('hex').slice(0, 16);
    return `[${this.role} ${h}]`;
  }

  /** The mapping note saying what was replaced, or null when nothing was. */
  note(column: string): string | null {
    if (this.n === 0) return null;
    const what = [...this.kinds.entries()].map(([k, c]) => countOf(k, c)).join(', ');
    const how = this.key === null ? `numbered in order of appearance` : `keyed hashes (${PSEUDONYM_KEY_ENV})`;
    return `warning: ${this.n} value(s) of '${column}' look like direct identifiers (${what}) and are shown as pseudonyms ([${this.role} ...], ${how}); de-identify the export, or pass --show-identifiers to show them`;
  }
}
