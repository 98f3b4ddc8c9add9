/**
 * The cross-product accumulator's two ways (ids given to `add`, or slots assigned by the
 * caller with known counts, as the model's design does) and the derived cross-products the
 * model uses instead of further per-client arrays give the same numbers, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { CrossProductAccumulator, GroupSlots, selectColumns, standardizeColumns } from '../../../src/stats/lmm/data.js';

/** Rows of a small unbalanced design: group ids out of order, with gaps, repeated. */
function rows(): { id: number; x: number[]; y: number }[] {
  const out: { id: number; x: number[]; y: number }[] = [];
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 10;
  for (let r = 0; r < 300; r++) {
    const id = [5, 0, 17, 3, 5, 2000, 3, 9][(r * 5 + (r >> 3)) % 8];
    out.push({ id, x: [1, rnd(), rnd() + id / 100], y: rnd() + id / 50 });
  }
  return out;
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe('GroupSlots', () => {
  it('numbers ids in order of first appearance and grows past its capacity', () => {
    const s = new GroupSlots(2);
    expect([7, 3, 7, 5000, 0, 3].map((id) => s.slot(id))).toEqual([0, 1, 0, 2, 3, 1]);
    expect(s.count).toBe(4);
    expect(Array.from(s.groupIds())).toEqual([7, 3, 5000, 0]);
    expect([s.of(5000), s.of(4), s.of(1e9)]).toEqual([2, -1, -1]);
  });

  it('refuses an id that is not a non-negative integer', () => {
    const s = new GroupSlots();
    expect(() => s.slot(-1)).toThrow(/non-negative integer/);
    expect(() => s.slot(1.5)).toThrow(/non-negative integer/);
  });
});

describe('CrossProductAccumulator', () => {
  const shift = [0, 4.5, 5];
  it('slots assigned by the caller with known counts give the cross-products of add(id)', () => {
    const data = rows();
    const byId = new CrossProductAccumulator(3, { shift, yShift: 3 });
    for (const r of data) byId.add(r.id, r.x, r.y);
    const a = byId.finish();
    const slots = new GroupSlots();
    for (const r of data) slots.slot(r.id);
    const counts = new Int32Array(slots.count);
    for (const r of data) counts[slots.of(r.id)]++;
    const bySlot = new CrossProductAccumulator(3, { shift, yShift: 3, counts });
    for (const r of data) bySlot.addAt(slots.of(r.id), r.x, r.y);
    const b = bySlot.finish(slots.groupIds());
    expect(a.groups).toBe(6);
    expect([b.groups, b.nobs, b.p]).toEqual([a.groups, a.nobs, a.p]);
    expect(Array.from(a.groupIds)).toEqual([...new Set(data.map((r) => r.id))]);
    expect(Array.from(b.groupIds)).toEqual(Array.from(a.groupIds));
    expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
    expect(same(b.cross, a.cross)).toBe(true);
    expect(() => new CrossProductAccumulator(1, { counts }).finish()).toThrow(/one group id per slot/);
    expect(() => new CrossProductAccumulator(1, { counts }).add(0, [1], 1)).toThrow(/addAt/);
  });

  it('the intercept and response rows are the sums an accumulator of [1, y] makes (the null model)', () => {
    const data = rows();
    const full = new CrossProductAccumulator(3, { shift, yShift: 3 });
    const nul = new CrossProductAccumulator(1, { yShift: 3 });
    for (const r of data) {
      full.add(r.id, r.x, r.y);
      nul.add(r.id, [1], r.y);
    }
    const n = nul.finish();
    const s = selectColumns(full.finish(), [0]);
    expect(same(s.cross, n.cross)).toBe(true);
    expect(same(s.shift, n.shift)).toBe(true);
    expect([s.yShift, s.nobs, s.groups]).toEqual([n.yShift, n.nobs, n.groups]);
  });

  it('standardising in place writes the numbers of the copy', () => {
    const data = rows();
    const make = () => {
      const acc = new CrossProductAccumulator(3, { shift, yShift: 3 });
      for (const r of data) acc.add(r.id, r.x, r.y);
      return acc.finish();
    };
    const d = make();
    const before = d.cross.slice();
    const copy = standardizeColumns(d);
    const e = make();
    const inPlace = standardizeColumns(e, { inPlace: true });
    expect(inPlace.cross).toBe(e.cross);
    expect(same(inPlace.cross, copy.cross)).toBe(true);
    expect(same(inPlace.shift, copy.shift)).toBe(true);
    // the copy left its input alone; the in-place one did not
    expect(same(d.cross, before)).toBe(true);
    expect(same(e.cross, before)).toBe(false);
  });
});
