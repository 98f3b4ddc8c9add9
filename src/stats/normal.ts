/**
 * The standard normal distribution: cdf, survival and quantile (R's pnorm and qnorm
 * algorithms). Pure numerics; invalid parameters throw a RangeError.
 *
 * Reference values: test/reference/distributions.R -> distributions.json (R pnorm, qnorm).
 */
import { assertFinite, assertProb, DBL_EPS, SQRT_2PI } from './special.js';

/* eslint-disable no-loss-of-precision -- coefficients are written with every digit their
   source (R's nmath, Cody 1969, AS 241) prints, so they can be checked against it; the
   nearest double is the intended value. */
// ---------------------------------------------------------------------------
// Normal
// ---------------------------------------------------------------------------

// W. J. Cody (1969) rational Chebyshev approximations for erf/erfc, as used by R's pnorm.
const CODY_A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const CODY_B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const CODY_C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
  11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const CODY_D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091, 34900.952721145977266, 38912.003286093271411,
  19685.429676859990727,
];
const CODY_P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const CODY_Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

/** exp(-x^2/2) split as exp(-xs^2/2) * exp(-(x-xs)(x+xs)/2) to avoid cancellation. */
function gaussTailFactor(ax: number): number {
  const xsq = Math.trunc(ax * 16) / 16;
  const del = (ax - xsq) * (ax + xsq);
  return Math.exp(-xsq * xsq * 0.5) * Math.exp(-del * 0.5);
}

/** Upper tail 1 - Phi(|z|) for |z| >= 0.67448975, accurate in relative terms. */
function normalUpperTailAbs(ax: number): number {
  if (ax <= 5.656854249492380195) {
    let xnum = CODY_C[8] * ax;
    let xden = ax;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + CODY_C[i]) * ax;
      xden = (xden + CODY_D[i]) * ax;
    }
    const temp = (xnum + CODY_C[7]) / (xden + CODY_D[7]);
    return gaussTailFactor(ax) * temp;
  }
  const xsq = 1 / (ax * ax);
  let xnum = CODY_P[5] * xsq;
  let xden = xsq;
  for (let i = 0; i < 4; i++) {
    xnum = (xnum + CODY_P[i]) * xsq;
    xden = (xden + CODY_Q[i]) * xsq;
  }
  let temp = (xsq * (xnum + CODY_P[4])) / (xden + CODY_Q[4]);
  temp = (1 / SQRT_2PI - temp) / ax;
  return gaussTailFactor(ax) * temp;
}

/**
 * Standard normal cumulative distribution function Phi(z) = P(Z <= z).
 *
 * Formula: Phi(z) = (1 + erf(z / sqrt 2)) / 2, evaluated with W. J. Cody's rational
 * Chebyshev approximations (three ranges), accurate to ~1e-16 relative, also in
 * the far lower tail (down to z ~ -38, where Phi underflows).
 *
 * Reference: Cody, W. J. (1969) Rational Chebyshev approximations for the error
 * function. Math. Comp. 23, 631-637, doi:10.1090/S0025-5718-1969-0247736-4.
 * Validated against R pnorm().
 *
 * @example normalCdf(1.959963984540054) // 0.975
 */
export function normalCdf(z: number): number {
  assertFinite('z', z);
  const ax = Math.abs(z);
  if (ax <= 0.67448975) {
    if (ax < DBL_EPS * 0.5) return 0.5;
    const xsq = z * z;
    let xnum = CODY_A[4] * xsq;
    let xden = xsq;
    for (let i = 0; i < 3; i++) {
      xnum = (xnum + CODY_A[i]) * xsq;
      xden = (xden + CODY_B[i]) * xsq;
    }
    return 0.5 + (z * (xnum + CODY_A[3])) / (xden + CODY_B[3]);
  }
  // Beyond this R's pnorm() returns exactly 0 / 1 (the true tail is subnormal).
  if (ax > 37.5193) return z > 0 ? 1 : 0;
  const tail = normalUpperTailAbs(ax);
  return z > 0 ? 1 - tail : tail;
}

/**
 * Standard normal upper tail 1 - Phi(z), computed directly (no cancellation for large z).
 * Validated against R pnorm(z, lower.tail = FALSE).
 */
export function normalSurvival(z: number): number {
  return normalCdf(-z);
}

/**
 * Standard normal quantile function Phi^-1(p).
 *
 * Formula: Wichura's algorithm AS 241 (PPND16), rational approximations in three
 * ranges, relative accuracy about 1e-16; the same algorithm as R's qnorm().
 *
 * Reference: Wichura, M. J. (1988) Algorithm AS 241: The percentage points of the
 * normal distribution. Applied Statistics 37, 477-484, doi:10.2307/2347330.
 * Validated against R qnorm().
 *
 * @example normalQuantile(0.975) // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  assertProb(p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r + 13731.693765509461125) * r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852854561 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r + 5394.1960214247511077) * r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    val =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}
