/**
 * Derivative-free minimisers for the profiled mixed-model deviance.
 *
 * - `brentMin`: Brent's (1973) golden-section / parabolic minimiser on an interval, as in
 *   R's `optimize()` (Brent, Algorithms for Minimization without Derivatives, ch. 5).
 * - `nelderMead`: Nelder & Mead (1965) simplex with box bounds enforced by projection,
 *   restarted until a restart no longer improves the minimum.
 */

export interface MinResult {
  x: number[];
  f: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

/** Brent's minimiser of f on [a, b]; `tol` is the absolute tolerance on x. */
export function brentMin(f: (x: number) => number, a: number, b: number, tol = 1e-10, maxIter = 500): MinResult {
  const c = (3 - Math.sqrt(5)) / 2;
  const eps = Math.sqrt(2.220446049250313e-16);
  let v = a + c * (b - a);
  let w = v;
  let x = v;
  let d = 0;
  let e = 0;
  let fx = f(x);
  let fv = fx;
  let fw = fx;
  let evals = 1;
  const tol3 = tol / 3;
  for (let iter = 0; iter < maxIter; iter++) {
    const xm = (a + b) / 2;
    const tol1 = eps * Math.abs(x) + tol3;
    const t2 = 2 * tol1;
    if (Math.abs(x - xm) <= t2 - (b - a) / 2) {
      return { x: [x], f: fx, evaluations: evals, converged: true, message: `Brent: converged (interval width ${(b - a).toExponential(1)})` };
    }
    let p = 0;
    let q = 0;
    let r = 0;
    if (Math.abs(e) > tol1) {
      r = (x - w) * (fx - fv);
      q = (x - v) * (fx - fw);
      p = (x - v) * q - (x - w) * r;
      q = (q - r) * 2;
      if (q > 0) p = -p;
      else q = -q;
      r = e;
      e = d;
    }
    if (Math.abs(p) >= Math.abs(q * 0.5 * r) || p <= q * (a - x) || p >= q * (b - x)) {
      e = x < xm ? b - x : a - x;
      d = c * e;
    } else {
      d = p / q;
      const u = x + d;
      if (u - a < t2 || b - u < t2) d = x < xm ? tol1 : -tol1;
    }
    const u = Math.abs(d) >= tol1 ? x + d : d > 0 ? x + tol1 : x - tol1;
    const fu = f(u);
    evals++;
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return { x: [x], f: fx, evaluations: evals, converged: false, message: `Brent: iteration limit (${maxIter}) reached` };
}

/**
 * Nelder-Mead with bounds (coordinates projected into [lower, upper]). Restarts from the
 * best point until a restart improves f by less than `ftol`.
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  lower: number[],
  upper: number[],
  opts: { ftol?: number; xtol?: number; maxEval?: number } = {},
): MinResult {
  const ftol = opts.ftol ?? 1e-13;
  const xtol = opts.xtol ?? 1e-10;
  const maxEval = opts.maxEval ?? 50_000;
  const n = x0.length;
  const clamp = (x: number[]): number[] => x.map((v, i) => Math.min(upper[i], Math.max(lower[i], v)));
  let evals = 0;
  const fc = (x: number[]): number => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let best = clamp(x0);
  let fbest = fc(best);
  let converged = false;
  for (let restart = 0; restart < 20 && evals < maxEval; restart++) {
    // initial simplex
    const simplex: number[][] = [best.slice()];
    for (let i = 0; i < n; i++) {
      const p = best.slice();
      const step = Math.abs(p[i]) > 1e-3 ? 0.1 * Math.abs(p[i]) : 0.05;
      p[i] = p[i] + step <= upper[i] ? p[i] + step : p[i] - step;
      simplex.push(clamp(p));
    }
    let fs = simplex.map((p, i) => (i === 0 ? fbest : fc(p)));
    let inner = false;
    while (evals < maxEval) {
      const order = fs.map((_, i) => i).sort((i, j) => fs[i] - fs[j]);
      const s2 = order.map((i) => simplex[i]);
      const f2 = order.map((i) => fs[i]);
      simplex.splice(0, simplex.length, ...s2);
      fs = f2;
      let size = 0;
      for (let i = 1; i <= n; i++) for (let k = 0; k < n; k++) size = Math.max(size, Math.abs(simplex[i][k] - simplex[0][k]));
      if (Math.abs(fs[n] - fs[0]) <= ftol * (1 + Math.abs(fs[0])) && size <= xtol * (1 + Math.max(...simplex[0].map(Math.abs)))) {
        inner = true;
        break;
      }
      const centroid = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k] += simplex[i][k] / n;
      const along = (t: number): number[] => clamp(centroid.map((c, k) => c + t * (simplex[n][k] - c)));
      const xr = along(-1);
      const fr = fc(xr);
      if (fr < fs[0]) {
        const xe = along(-2);
        const fe = fc(xe);
        if (fe < fr) {
          simplex[n] = xe;
          fs[n] = fe;
        } else {
          simplex[n] = xr;
          fs[n] = fr;
        }
      } else if (fr < fs[n - 1]) {
        simplex[n] = xr;
        fs[n] = fr;
      } else {
        const outside = fr < fs[n];
        const xk = along(outside ? -0.5 : 0.5);
        const fk = fc(xk);
        if (fk < (outside ? fr : fs[n])) {
          simplex[n] = xk;
          fs[n] = fk;
        } else {
          for (let i = 1; i <= n; i++) {
            simplex[i] = clamp(simplex[i].map((v, k) => simplex[0][k] + 0.5 * (v - simplex[0][k])));
            fs[i] = fc(simplex[i]);
          }
        }
      }
    }
    let bi = 0;
    for (let i = 1; i < fs.length; i++) if (fs[i] < fs[bi]) bi = i;
    const improvement = fbest - fs[bi];
    if (fs[bi] <= fbest) {
      best = simplex[bi].slice();
      fbest = fs[bi];
    }
    if (inner && improvement <= ftol * (1 + Math.abs(fbest)) * 10) {
      converged = true;
      break;
    }
  }
  return {
    x: best,
    f: fbest,
    evaluations: evals,
    converged,
    message: converged ? `Nelder-Mead: converged (relative change in deviance < ${ftol})` : `Nelder-Mead: evaluation limit (${maxEval}) reached`,
  };
}
