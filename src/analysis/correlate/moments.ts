/**
 * In-place updates of the correlate aggregates' flat moment blocks: the Chan et al. merge of
 * bivariate moments and Welford updates over client means (2-D) and early triples (3-D),
 * each with its inverse (sign -1), so a client's contribution can be removed again
 * (ScatterRepair).
 */
import { C_STRIDE, E_STRIDE } from './layout.js';

/** Chan et al. (1979) pairwise merge (sign 1) or its inverse (sign -1) of bivariate moments. */
export function chanMerge(g: Float64Array, b: number, n: number, mx: number, my: number, sxx: number, syy: number, sxy: number, sign: number): void {
  const n0 = g[b];
  if (sign > 0) {
    const nn = n0 + n;
    const dx = mx - g[b + 1];
    const dy = my - g[b + 2];
    const f = (n0 * n) / nn;
    g[b + 3] += sxx + dx * dx * f;
    g[b + 4] += syy + dy * dy * f;
    g[b + 5] += sxy + dx * dy * f;
    g[b + 1] += (dx * n) / nn;
    g[b + 2] += (dy * n) / nn;
    g[b] = nn;
    return;
  }
  const rest = n0 - n;
  if (rest <= 0) {
    g.fill(0, b, b + C_STRIDE);
    return;
  }
  const rx = (n0 * g[b + 1] - n * mx) / rest;
  const ry = (n0 * g[b + 2] - n * my) / rest;
  const dx = mx - rx;
  const dy = my - ry;
  const f = (rest * n) / n0;
  g[b + 3] -= sxx + dx * dx * f;
  g[b + 4] -= syy + dy * dy * f;
  g[b + 5] -= sxy + dx * dy * f;
  g[b + 1] = rx;
  g[b + 2] = ry;
  g[b] = rest;
}

/** Welford add (sign 1) or remove (sign -1) of a 2-D point. */
export function welford2(g: Float64Array, b: number, x: number, y: number, sign: number): void {
  const k0 = g[b];
  if (sign > 0) {
    const k = k0 + 1;
    const dx = x - g[b + 1];
    const dy = y - g[b + 2];
    g[b + 1] += dx / k;
    g[b + 2] += dy / k;
    g[b + 3] += dx * (x - g[b + 1]);
    g[b + 4] += dy * (y - g[b + 2]);
    g[b + 5] += dx * (y - g[b + 2]);
    g[b] = k;
    return;
  }
  const k = k0 - 1;
  if (k <= 0) {
    g.fill(0, b, b + C_STRIDE);
    return;
  }
  const mx = (k0 * g[b + 1] - x) / k;
  const my = (k0 * g[b + 2] - y) / k;
  g[b + 3] -= (x - mx) * (x - g[b + 1]);
  g[b + 4] -= (y - my) * (y - g[b + 2]);
  g[b + 5] -= (x - mx) * (y - g[b + 2]);
  g[b + 1] = mx;
  g[b + 2] = my;
  g[b] = k;
}

/** Welford add/remove of a 3-D point (x, y, z): count, means, co-moments xx xy xz yy yz zz. */
export function welford3(g: Float64Array, b: number, x: number, y: number, z: number, sign: number): void {
  const k0 = g[b];
  const k = k0 + sign;
  if (k <= 0) {
    g.fill(0, b, b + E_STRIDE);
    return;
  }
  let ox: number;
  let oy: number;
  let oz: number;
  let nx: number;
  let ny: number;
  let nz: number;
  if (sign > 0) {
    ox = g[b + 1];
    oy = g[b + 2];
    oz = g[b + 3];
    nx = ox + (x - ox) / k;
    ny = oy + (y - oy) / k;
    nz = oz + (z - oz) / k;
  } else {
    nx = g[b + 1];
    ny = g[b + 2];
    nz = g[b + 3];
    ox = (k0 * nx - x) / k;
    oy = (k0 * ny - y) / k;
    oz = (k0 * nz - z) / k;
  }
  // C_new = C_old + (p - m_old)(p - m_new)'  (symmetric in exact arithmetic)
  const ax = x - ox;
  const ay = y - oy;
  const az = z - oz;
  const bx = x - nx;
  const by = y - ny;
  const bz = z - nz;
  g[b + 4] += sign * ax * bx;
  g[b + 5] += sign * ax * by;
  g[b + 6] += sign * ax * bz;
  g[b + 7] += sign * ay * by;
  g[b + 8] += sign * ay * bz;
  g[b + 9] += sign * az * bz;
  if (sign > 0) {
    g[b + 1] = nx;
    g[b + 2] = ny;
    g[b + 3] = nz;
  } else {
    g[b + 1] = ox;
    g[b + 2] = oy;
    g[b + 3] = oz;
  }
  g[b] = k;
}
