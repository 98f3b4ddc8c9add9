import { describe, expect, it } from 'vitest';
import {
  cholesky,
  choleskyInPlace,
  choleskySolve,
  fromRows,
  identity,
  invert,
  invertSymmetric,
  logDet,
  logDetFromCholesky,
  matMul,
  matVec,
  solve,
  toRows,
  transpose,
} from '../../src/stats/linalg.js';
import { loadReference, Mismatches } from './reference.js';

// Expected values: test/reference/linalg.R (R chol, solve, determinant).
const ref = loadReference('linalg.json');

function relMax(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

describe('hand-checkable cases', () => {
  it('matMul, transpose, matVec', () => {
    const A = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const B = fromRows([[1], [0], [-1]]);
    expect(Array.from(matMul(A, B, 2, 3, 1))).toEqual([-2, -2]);
    expect(toRows(transpose(A, 2, 3), 3, 2)).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(Array.from(matVec(A, [1, 1, 1], 2, 3))).toEqual([6, 15]);
    expect(() => fromRows([[1, 2], [3]])).toThrow(RangeError);
  });
  it('cholesky of [[4,2],[2,3]] is [[2,0],[1,sqrt 2]]', () => {
    const L = cholesky(
      fromRows([
        [4, 2],
        [2, 3],
      ]),
      2,
    )!;
    expect(L[0]).toBe(2);
    expect(L[1]).toBe(0);
    expect(L[2]).toBe(1);
    expect(L[3]).toBeCloseTo(Math.SQRT2, 15);
    expect(logDetFromCholesky(L, 2)).toBeCloseTo(Math.log(8), 14);
    const x = choleskySolve(L, [2, 1], 2); // [[4,2],[2,3]] x = [2,1] -> x = [0.5, 0]
    expect(x[0]).toBeCloseTo(0.5, 15);
    expect(x[1]).toBeCloseTo(0, 15);
  });
  it('not positive definite -> null; singular -> null', () => {
    expect(
      cholesky(
        fromRows([
          [1, 2],
          [2, 1],
        ]),
        2,
      ),
    ).toBeNull();
    expect(
      cholesky(
        fromRows([
          [1, 1],
          [1, 1],
        ]),
        2,
      ),
    ).toBeNull();
    expect(
      invertSymmetric(
        fromRows([
          [0, 0],
          [0, 1],
        ]),
        2,
      ),
    ).toBeNull();
    expect(
      solve(
        fromRows([
          [1, 2],
          [2, 4],
        ]),
        [1, 2],
        2,
      ),
    ).toBeNull();
    expect(
      logDet(
        fromRows([
          [1, 2],
          [2, 4],
        ]),
        2,
      ).sign,
    ).toBe(0);
  });
  it('identity inverse', () => {
    expect(Array.from(invert(identity(3), 3)!)).toEqual(Array.from(identity(3)));
  });
});

describe('against R', () => {
  for (const c of ref.cases) {
    it(`${c.name}: chol / solve / inverse / logdet`, () => {
      const A = Float64Array.from(c.A as number[]);
      const n = c.n as number;
      const m = new Mismatches();
      const L = cholesky(A, n);
      expect(L !== null).toBe(c.spd);
      if (L !== null) {
        const U = transpose(L, n, n); // R returns the upper factor
        const scale = relMax(c.chol_upper);
        for (let i = 0; i < n * n; i++) m.check(`chol[${i}]`, U[i], c.chol_upper[i], { abs: 1e-12 * scale });
        const invS = invertSymmetric(A, n)!;
        const sInv = relMax(c.inverse);
        for (let i = 0; i < n * n; i++) m.check(`invertSymmetric[${i}]`, invS[i], c.inverse[i], { abs: 1e-9 * sInv });
        const xs = choleskySolve(L, c.b, n);
        const sx = relMax(c.solution);
        for (let i = 0; i < n; i++) m.check(`choleskySolve[${i}]`, xs[i], c.solution[i], { abs: 1e-9 * sx });
        m.check('logDetFromCholesky', logDetFromCholesky(L, n), c.logdet, { abs: 1e-10, rel: 1e-12 });
      }
      const x = solve(A, c.b, n)!;
      const sx = relMax(c.solution);
      for (let i = 0; i < n; i++) m.check(`solve[${i}]`, x[i], c.solution[i], { abs: 1e-9 * sx });
      const inv = invert(A, n)!;
      const sInv = relMax(c.inverse);
      for (let i = 0; i < n * n; i++) m.check(`invert[${i}]`, inv[i], c.inverse[i], { abs: 1e-9 * sInv });
      const ld = logDet(A, n);
      m.check('logDet', ld.logAbs, c.logdet, { abs: 1e-10, rel: 1e-12 });
      expect(ld.sign).toBe(c.det_sign);
      expect(m.items).toEqual([]);
    });
  }
  it('R calls the singular case singular, and so do we', () => {
    expect(ref.singular.r_solve_error).toMatch(/singular/);
    expect(solve(Float64Array.from(ref.singular.A), [1, 1, 1], 3)).toBeNull();
  });
  it('does not mutate inputs', () => {
    const A = Float64Array.from(ref.cases[0].A as number[]);
    const copy = Float64Array.from(A);
    cholesky(A, 3);
    solve(A, [1, 2, 3], 3);
    invertSymmetric(A, 3);
    expect(Array.from(A)).toEqual(Array.from(copy));
  });
});

describe('choleskyInPlace: the one factorisation, with the pivot test as a parameter', () => {
  it('factors in place at an offset and zeroes the strict upper triangle (hand-computed)', () => {
    // [[4, 2], [2, 5]] = L L^T with L = [[2, 0], [1, 2]].
    const a = Float64Array.from([9, 4, 99, 2, 5]);
    expect(choleskyInPlace(a, 2, 1)).toBe(true);
    expect(Array.from(a)).toEqual([9, 2, 0, 1, 2]);
  });
  it('relTol 0 accepts any positive pivot; cholesky() asks for more than rounding', () => {
    // [[1, 1], [1, 1 + 1e-15]]: the second pivot is about 1.1e-15, positive but below 4 n eps.
    const A = Float64Array.from([1, 1, 1, 1 + 1e-15]);
    expect(choleskyInPlace(Float64Array.from(A), 2)).toBe(true);
    expect(choleskyInPlace(Float64Array.from(A), 2, 0, 8 * 2.220446049250313e-16)).toBe(false);
    expect(cholesky(A, 2)).toBeNull();
    expect(choleskyInPlace(Float64Array.from([1, 1, 1, 1]), 2)).toBe(false);
  });
});
