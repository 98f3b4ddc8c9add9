/**
 * The pieces of jsonChunks are exactly renderJson's text, JSON.stringify(value, null, 2) + '\n'
 * (the definition, from the JavaScript engine; NaN and Infinity become null), for any JSON-like value: long and short
 * arrays, nesting, NaN and Infinity, undefined in objects and arrays, empty containers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks, writeChunks } from '../../src/report/stream.js';
import { renderJson } from '../../src/report/render.js';
import { sequence } from '../../src/sequence.js';

/** renderJson (JSON.stringify(v, null, 2) + newline) is the definition. */
const reference = (v: unknown) => renderJson({ title: 't', tables: [], json: v });

const leaf = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 1e308),
  fc.integer(),
  fc.string(),
  fc.constantFrom('line\nbreak', 'quote"', 'tab\t', '\u2028'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const small = fc.oneof(leaf, fc.dictionary(fc.string({ maxLength: 6 }), leaf, { maxKeys: 4 }), fc.array(leaf, { maxLength: 4 }));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 3, depthIdentifier: 'json' }, leaf, tie('array'), tie('object'), tie('long'), tie('sequence')),
  array: fc.array(tie('value'), { maxLength: 4, depthIdentifier: 'json' }),
  // A Sequence (src/sequence.ts): JSON.stringify writes what its toJSON gives, the array.
  sequence: fc.array(tie('value'), { maxLength: 70, depthIdentifier: 'json' }).map((a) => sequence(a.length, () => a[Symbol.iterator]())),
  long: fc.array(small, { minLength: 65, maxLength: 150 }),
  object: fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5, depthIdentifier: 'json' }),
})).value;

describe('jsonChunks', () => {
  it('a long array of rows inside an object inside an array (two levels down) is split too', () => {
    const doc = { sections: [{ rows: Array.from({ length: 5000 }, (_, i) => ({ i, v: i / 3 })) }] };
    const pieces = [...jsonChunks(doc)];
    expect(pieces.join('')).toBe(reference(doc));
    expect(pieces.length).toBeGreaterThan(1);
  });
  it("results.json's shape (sections.trend.clients, three levels down) is split", () => {
    const doc = { sections: { trend: { clients: Array.from({ length: 20_000 }, (_, i) => ({ client: `C${i}`, change: i / 7, drops: [1, 2] })) } } };
    const pieces = [...jsonChunks(doc)];
    expect(pieces.join('')).toBe(reference(doc));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1 << 18);
  });

  it('joins to exactly JSON.stringify(v, null, 2) + newline', () => {
    fc.assert(
      fc.property(json, (v) => {
        fc.pre(v !== undefined); // not a document: JSON.stringify(undefined) is undefined
        expect([...jsonChunks(v)].join('')).toBe(reference(v));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('writes a Sequence one element at a time, never through its toJSON', () => {
    let made = 0;
    const rows = sequence(50_000, function* () {
      for (let i = 0; i < 50_000; i++) {
        made++;
        yield { client: `C${i}`, change: i / 3 };
      }
    });
    const guarded = {
      ...rows,
      [Symbol.iterator]: rows[Symbol.iterator],
      toJSON: () => {
        throw new Error('materialised');
      },
    };
    const doc = { command: 'trend', clients: guarded, notes: [] };
    const pieces = [...jsonChunks(doc)];
    expect(made).toBe(50_000);
    expect(pieces.length).toBeGreaterThan(10);
    expect(pieces.join('')).toBe(reference({ ...doc, clients: [...rows] }));
  });

  it('a million-row array comes in many pieces, none of them huge', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ({ client: `C${i}`, change: i % 7 === 0 ? Number.NaN : i / 3, list: [1, 2] }));
    const doc = { command: 'trend', clients: rows, notes: ['a', 'b'] };
    const pieces = [...jsonChunks(doc)];
    expect(pieces.length).toBeGreaterThan(100);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1 << 18);
    expect(pieces.join('')).toBe(reference(doc));
  });

  it('writeChunks waits for drain and stops when the reader has gone', async () => {
    const got: string[] = [];
    let drained = 0;
    await writeChunks({ stdout: { write: (s: string) => (got.push(s), false) }, drain: async () => void drained++ }, ['a', 'b', 'c']);
    expect(got).toEqual(['a', 'b', 'c']);
    expect(drained).toBe(3);
    const some: string[] = [];
    await writeChunks({ stdout: { write: (s: string) => (some.push(s), true) }, closed: () => some.length >= 2 }, ['a', 'b', 'c']);
    expect(some).toEqual(['a', 'b']);
  });
});
