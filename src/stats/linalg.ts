/**
 * Small dense linear algebra on row-major Float64Array matrices.
 *
 * A matrix with r rows and c columns is a Float64Array of length r*c, element (i, j)
 * at index i*c + j. Sizes here are tiny (a handful of predictors), so the plain
 * O(n^3) algorithms are used. Functions never mutate their inputs, except
 * choleskyInPlace, which factors in place (the mixed-model code factors blocks of a
 * larger buffer). This is the one linear-algebra module: the correlation, regression
 * and mixed-model code all factor, solve and invert here.
 *
 * Reference values: test/reference/linalg.R -> linalg.json (R chol(), solve(),
 * determinant()).
 */

const DBL_EPS = 2.220446049250313e-16;

/** Row-major dense matrix. */
export type Matrix = Float64Array;

/**
 * Builds a row-major Float64Array from an array of rows (element (i, j) at i*c + j).
 * Throws RangeError when the rows are ragged. Checked on hand-computed cases.
 *
 * @example fromRows([[1, 2], [3, 4]]) // Float64Array [1, 2, 3, 4]
 */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) throw new RangeError(`fromRows: row ${i} has ${rows[i].length} columns, expected ${c}`);
    for (let j = 0; j < c; j++) out[i * c + j] = rows[i][j];
  }
  return out;
}

/** Converts a row-major matrix back to an array of rows (for tests and reports). Checked on hand-computed cases. */
export function toRows(A: Matrix, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push(Array.from(A.subarray(i * cols, (i + 1) * cols)));
  return out;
}

/** n x n identity matrix I_n. Checked on hand-computed cases. */
export function identity(n: number): Matrix {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/**
 * Matrix product C = A B, A is (r x k), B is (k x c): C_ij = sum_l A_il B_lj.
 * Reference: https://en.wikipedia.org/wiki/Matrix_multiplication . Checked on
 * hand-computed cases (test/stats/linalg.test.ts), as R's %*%.
 *
 * @example matMul(fromRows([[1, 2]]), fromRows([[3], [4]]), 1, 2, 1) // [11]
 */
export function matMul(A: Matrix, B: Matrix, r: number, k: number, c: number): Matrix {
  if (A.length !== r * k || B.length !== k * c) throw new RangeError('matMul: dimension mismatch');
  const C = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let l = 0; l < k; l++) {
      const a = A[i * k + l];
      if (a === 0) continue;
      for (let j = 0; j < c; j++) C[i * c + j] += a * B[l * c + j];
    }
  }
  return C;
}

/** Transpose of an (r x c) matrix, giving (c x r): T_ji = A_ij. Checked on hand-computed cases, as R's t(). */
export function transpose(A: Matrix, r: number, c: number): Matrix {
  if (A.length !== r * c) throw new RangeError('transpose: dimension mismatch');
  const T = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) T[j * r + i] = A[i * c + j];
  return T;
}

/** Matrix-vector product y = A x, A is (r x c): y_i = sum_j A_ij x_j. Checked on hand-computed cases. */
export function matVec(A: Matrix, x: ArrayLike<number>, r: number, c: number): Float64Array {
  if (A.length !== r * c || x.length !== c) throw new RangeError('matVec: dimension mismatch');
  const y = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += A[i * c + j] * x[j];
    y[i] = s;
  }
  return y;
}

/**
 * The one Cholesky factorisation of this code base, in place: the n x n symmetric matrix
 * stored row-major in a[off .. off + n*n) is replaced by its lower factor L (A = L L^T; only
 * the lower triangle of A is read, the strict upper triangle is zeroed). Returns false when
 * A is not positive definite to the requested tolerance (the contents of `a` are then
 * partly overwritten).
 *
 * Pivot test: the pivot s_j = A_jj - sum_k<j L_jk^2 must exceed relTol A_jj. relTol = 0
 * (the mixed-model code's choice: any positive pivot) accepts every numerically positive
 * pivot; cholesky() below uses relTol = 4 n eps, i.e. s_j / A_jj (1 - R^2 of column j on
 * the previous ones) above rounding, and also rejects non-finite pivots.
 *
 * Formula: L_jj = sqrt(A_jj - sum_k<j L_jk^2), L_ij = (A_ij - sum_k<j L_ik L_jk) / L_jj.
 * Reference: Golub & Van Loan, Matrix Computations (4th ed.) Alg. 4.2.1;
 * https://en.wikipedia.org/wiki/Cholesky_decomposition . Validated against R chol().
 */
export function choleskyInPlace(a: Float64Array, n: number, off = 0, relTol = 0): boolean {
  for (let j = 0; j < n; j++) {
    const ajj = a[off + j * n + j];
    let d = ajj;
    for (let k = 0; k < j; k++) d -= a[off + j * n + k] * a[off + j * n + k];
    if (relTol > 0 ? !(d > relTol * ajj) || !Number.isFinite(d) : !(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[off + j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[off + i * n + j];
      for (let k = 0; k < j; k++) s -= a[off + i * n + k] * a[off + j * n + k];
      a[off + i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[off + j * n + k] = 0;
  }
  return true;
}

/**
 * Cholesky factorisation A = L L^T of a symmetric positive definite n x n matrix
 * (only the lower triangle of A is read). Returns the lower-triangular L (upper
 * triangle zero), or null when A is not numerically positive definite (a pivot
 * s_j <= 4 n eps A_jj, i.e. column j is a linear combination of the previous ones
 * to working precision, or a non-finite entry). See choleskyInPlace.
 *
 * Validated against R chol() (R returns the upper factor, t(L)).
 */
export function cholesky(A: Matrix, n: number): Matrix | null {
  if (A.length !== n * n) throw new RangeError('cholesky: dimension mismatch');
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) L[i * n + j] = A[i * n + j];
  return choleskyInPlace(L, n, 0, Math.max(n, 1) * 4 * DBL_EPS) ? L : null;
}

/**
 * Solves A x = b given the Cholesky factor L of A (from cholesky()), by forward then
 * back substitution: L z = b, L^T x = z. `b` may hold m right-hand sides as an
 * (n x m) row-major matrix; the result has the same shape.
 *
 * Reference: Golub & Van Loan, Matrix Computations, 4.2.
 * Validated against R solve() / chol2inv().
 */
export function choleskySolve(L: Matrix, b: ArrayLike<number>, n: number, m = 1): Float64Array {
  if (L.length !== n * n || b.length !== n * m) throw new RangeError('choleskySolve: dimension mismatch');
  const x = Float64Array.from(b);
  for (let col = 0; col < m; col++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * m + col];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k * m + col];
      x[i * m + col] = s / L[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * m + col];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k * m + col];
      x[i * m + col] = s / L[i * n + i];
    }
  }
  return x;
}

/**
 * Inverse of A = L L^T from its Cholesky factor L (A^-1 = L^-T L^-1), symmetrised against
 * rounding. Reference: Golub & Van Loan, Matrix Computations, 4.2. Validated against R
 * chol2inv(chol(A)).
 */
export function cholInverse(L: Matrix, n: number): Matrix {
  const inv = choleskySolve(L, identity(n), n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (inv[i * n + j] + inv[j * n + i]);
      inv[i * n + j] = v;
      inv[j * n + i] = v;
    }
  }
  return inv;
}

/**
 * Inverse of a symmetric positive definite matrix via its Cholesky factor (cholInverse).
 * Returns null when A is not positive definite.
 *
 * Reference: Golub & Van Loan, Matrix Computations, 4.2. Validated against R solve()
 * and chol2inv(chol(A)).
 */
export function invertSymmetric(A: Matrix, n: number): Matrix | null {
  const L = cholesky(A, n);
  return L === null ? null : cholInverse(L, n);
}

/**
 * log det(A) of a symmetric positive definite matrix from its Cholesky factor:
 * log det A = 2 sum_i log L_ii.
 *
 * Validated against R determinant(A, logarithm = TRUE).
 */
export function logDetFromCholesky(L: Matrix, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}

/** LU factorisation with partial pivoting, PA = LU (packed), or null if singular. */
export interface LU {
  /** L (unit lower, below diagonal) and U (on and above diagonal), packed row-major. */
  lu: Matrix;
  /** perm[i] = original row placed at row i. */
  perm: Int32Array;
  /** +1 or -1: sign of the permutation. */
  sign: number;
  n: number;
}

/**
 * LU factorisation with partial (row) pivoting, PA = LU. Returns null when a pivot is
 * exactly zero or smaller than n * eps times the largest absolute entry of A
 * (numerically singular).
 *
 * Reference: Golub & Van Loan, Matrix Computations, Alg. 3.4.1;
 * https://en.wikipedia.org/wiki/LU_decomposition . Validated against R solve().
 */
export function luDecompose(A: Matrix, n: number): LU | null {
  if (A.length !== n * n) throw new RangeError('luDecompose: dimension mismatch');
  const lu = Float64Array.from(A);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let maxAbs = 0;
  for (let i = 0; i < n * n; i++) maxAbs = Math.max(maxAbs, Math.abs(A[i]));
  const tol = Math.max(n, 1) * DBL_EPS * maxAbs;
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (!(best > tol)) return null;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j];
        lu[k * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
      sign = -sign;
    }
    const piv = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = (lu[i * n + k] /= piv);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
    }
  }
  return { lu, perm, sign, n };
}

/** Solves A x = b from an LU factorisation; b may hold m right-hand sides (n x m). */
export function luSolve(f: LU, b: ArrayLike<number>, m = 1): Float64Array {
  const { lu, perm, n } = f;
  if (b.length !== n * m) throw new RangeError('luSolve: dimension mismatch');
  const x = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) x[i * m + c] = b[perm[i] * m + c];
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * m + c];
      for (let k = 0; k < i; k++) s -= lu[i * n + k] * x[k * m + c];
      x[i * m + c] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * m + c];
      for (let k = i + 1; k < n; k++) s -= lu[i * n + k] * x[k * m + c];
      x[i * m + c] = s / lu[i * n + i];
    }
  }
  return x;
}

/**
 * Solves the general square system A x = b (b: n values, or n x m row-major for m
 * right-hand sides) by LU with partial pivoting. Returns null when A is singular.
 *
 * Reference: Golub & Van Loan, Matrix Computations, 3.4. Validated against R solve(A, b).
 *
 * @example solve(fromRows([[2, 0], [0, 4]]), [2, 2], 2) // [1, 0.5]
 */
export function solve(A: Matrix, b: ArrayLike<number>, n: number, m = 1): Float64Array | null {
  const f = luDecompose(A, n);
  return f === null ? null : luSolve(f, b, m);
}

/** Inverse of a general square matrix by LU, or null when singular. Validated against R solve(A). */
export function invert(A: Matrix, n: number): Matrix | null {
  const f = luDecompose(A, n);
  return f === null ? null : luSolve(f, identity(n), n);
}

/** log |det A| and the sign of det A by LU; sign 0 (logAbs -Infinity) when singular. */
export function logDet(A: Matrix, n: number): { logAbs: number; sign: number } {
  const f = luDecompose(A, n);
  if (f === null) return { logAbs: -Infinity, sign: 0 };
  let s = 0;
  let sign = f.sign;
  for (let i = 0; i < n; i++) {
    const d = f.lu[i * n + i];
    if (d < 0) sign = -sign;
    s += Math.log(Math.abs(d));
  }
  return { logAbs: s, sign };
}

/**
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in decreasing order (as R's `eigen(symmetric = TRUE)`) and the
 * matching eigenvectors as columns of a row-major matrix. Used by the mixed-model code.
 * Reference: Golub & Van Loan, Matrix Computations, 8.5 (Jacobi methods).
 */
export function symmetricEigen(m: ArrayLike<number>, n: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = order.map((i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** x' A x for a symmetric n x n row-major A. */
export function quadForm(x: ArrayLike<number>, a: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += a[i * n + j] * x[j];
    s += x[i] * r;
  }
  return s;
}
