/**
 * Small dense linear algebra for the mixed-model code (matrices of a few rows: fixed
 * effects, random-effect blocks, variance parameters). Row-major Float64Array storage.
 * Private to src/stats/lmm; kept here so the LMM numerics have no dependency beyond
 * this folder.
 */

/**
 * In-place lower Cholesky factor of the symmetric positive-definite n x n matrix `a`
 * (row-major). Only the lower triangle is read; the strict upper triangle is zeroed.
 * Returns false when a pivot is not positive (matrix not positive definite).
 */
export function choleskyInPlace(a: Float64Array, n: number, off = 0): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[off + j * n + j];
    for (let k = 0; k < j; k++) d -= a[off + j * n + k] * a[off + j * n + k];
    if (!(d > 0)) return false;
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

/** Solves L x = b in place (L lower triangular, row-major n x n). */
export function forwardSolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** Solves L' x = b in place (L lower triangular, row-major n x n). */
export function backSolveT(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** Inverse of A = L L' from its Cholesky factor L (returns a new n x n row-major matrix). */
export function cholInverse(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    forwardSolve(l, n, col);
    backSolveT(l, n, col);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  // symmetrise against rounding
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
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in decreasing order (as R's `eigen(symmetric = TRUE)`) and the
 * matching eigenvectors as columns of a row-major matrix.
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
