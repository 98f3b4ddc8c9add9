/**
 * writeJson (src/report/render.ts) writes the bytes of renderJson in pieces, streaming
 * long arrays element by element: the same text for any document, and no piece near the
 * size of the whole.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderJson, writeJson } from '../../src/report/render.js';
import type { ResultDocument } from '../../src/report/model.js';

const doc = (json: unknown): ResultDocument => ({ title: 't', preface: [], tables: [], notes: [], json });

function pieces(json: unknown): string[] {
  const out: string[] = [];
  writeJson(doc(json), (c) => out.push(c));
  return out;
}

describe('writeJson', () => {
  it('gives the bytes of renderJson for any JSON-like value (long arrays included)', () => {
    const leaf = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(NaN), fc.constant(-Infinity));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }), tie('long')),
      long: fc.array(fc.oneof(leaf, fc.dictionary(fc.string(), leaf, { maxKeys: 3 }), fc.array(leaf, { maxLength: 2 })), { minLength: 256, maxLength: 300 }),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value.v, { maxKeys: 5 }), (json) => {
        expect(pieces(json).join('')).toBe(renderJson(doc(json)));
      }),
      { numRuns: 150 },
    );
  });

  it('writes a per-client table in pieces much smaller than the document', () => {
    const clients = Array.from({ length: 20_000 }, (_, i) => ({ client: `C${i}`, sessions: i % 20, change: { pre: i / 7, post: NaN, category: 'unchanged' }, drops: [1, 2] }));
    const json = { command: 'trend', summary: { clients: 20_000 }, clients };
    const out = pieces(json);
    const whole = out.join('');
    expect(whole).toBe(renderJson(doc(json)));
    expect(out.length).toBeGreaterThan(20);
    expect(Math.max(...out.map((c) => c.length))).toBeLessThan(whole.length / 10);
  });
});
