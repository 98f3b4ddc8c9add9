/**
 * Richardson-extrapolated numerical derivatives, reproducing R's numDeriv package
 * (Gilbert & Varadhan), `hessian()` (via `genD()`) and `jacobian()` with their default
 * method.args. lmerTest computes the Satterthwaite degrees of freedom from exactly these
 * two calls, so using the same step sizes and extrapolation reproduces its numbers to
 * rounding rather than to the truncation error of a different scheme.
 *
 * Reference: numDeriv source, R/numDeriv.R (genD.default, jacobian.default).
 */

const ZERO_TOL = Math.sqrt(2.220446049250313e-16 / 7e-7);

function stepSizes(x: readonly number[], d: number, eps: number): number[] {
  return x.map((xi) => Math.abs(d * xi) + eps * (Math.abs(xi) < ZERO_TOL ? 1 : 0));
}

function extrapolate(a: number[]): number {
  const r = a.length;
  const v = a.slice();
  for (let m = 1; m <= r - 1; m++) {
    const f = 4 ** m;
    for (let k = 0; k < r - m; k++) v[k] = (v[k + 1] * f - v[k]) / (f - 1);
  }
  return v[0];
}

/**
 * Hessian of a scalar function as `numDeriv::hessian(func, x)` (Richardson, eps = 1e-4,
 * d = 0.1, r = 4, v = 2). Returns a row-major n x n matrix.
 */
export function numDerivHessian(f: (x: number[]) => number, x: readonly number[]): Float64Array {
  const n = x.length;
  const r = 4;
  const h0 = stepSizes(x, 0.1, 1e-4);
  const f0 = f(x.slice());
  const hdiag = new Array<number>(n).fill(0);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let h = h0.slice();
    const hap: number[] = [];
    for (let k = 0; k < r; k++) {
      const xp = x.slice();
      const xm = x.slice();
      xp[i] += h[i];
      xm[i] -= h[i];
      const f1 = f(xp);
      const f2 = f(xm);
      hap.push((f1 - 2 * f0 + f2) / (h[i] * h[i]));
      h = h.map((v) => v / 2);
    }
    hdiag[i] = extrapolate(hap);
    H[i * n + i] = hdiag[i];
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let h = h0.slice();
      const dap: number[] = [];
      for (let k = 0; k < r; k++) {
        const xp = x.slice();
        const xm = x.slice();
        xp[i] += h[i];
        xp[j] += h[j];
        xm[i] -= h[i];
        xm[j] -= h[j];
        const f1 = f(xp);
        const f2 = f(xm);
        dap.push((f1 - 2 * f0 + f2 - hdiag[i] * h[i] * h[i] - hdiag[j] * h[j] * h[j]) / (2 * h[i] * h[j]));
        h = h.map((v) => v / 2);
      }
      const v = extrapolate(dap);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}

/**
 * Jacobian of a vector function as `numDeriv::jacobian(func, x)` (Richardson, eps = 1e-4,
 * d = 1e-4, r = 4, v = 2). Returns one column (length m) per element of x.
 */
export function numDerivJacobian(f: (x: number[]) => ArrayLike<number>, x: readonly number[]): number[][] {
  const n = x.length;
  const r = 4;
  const cols: number[][][] = Array.from({ length: n }, () => []);
  let h = stepSizes(x, 1e-4, 1e-4);
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < n; i++) {
      const xp = x.slice();
      const xm = x.slice();
      xp[i] += h[i];
      xm[i] -= h[i];
      const fp = f(xp);
      const fm = f(xm);
      const d: number[] = [];
      for (let e = 0; e < fp.length; e++) d.push((fp[e] - fm[e]) / (2 * h[i]));
      cols[i].push(d);
    }
    h = h.map((v) => v / 2);
  }
  return cols.map((levels) => {
    const m = levels[0].length;
    const out: number[] = [];
    for (let e = 0; e < m; e++) out.push(extrapolate(levels.map((l) => l[e])));
    return out;
  });
}
