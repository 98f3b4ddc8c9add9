/**
 * The model's derived statistics: the t-test row of a coefficient, Nakagawa R2, the
 * therapist decomposition's ICCs and sentence, the standardised refit, the --compare
 * sequence, and the client-level columns of a design.
 */
import { selectColumns, type GroupedCrossProducts } from '../../stats/lmm/data.js';
import { fitLmm, LmmError, satterthwaiteContrast, type LmmFit } from '../../stats/lmm/fit.js';
import { kenwardRoger, type KrAdjusted } from '../../stats/lmm/kr.js';
import { quadForm } from '../../stats/linalg.js';
import type { RandomStructure } from '../../stats/lmm/profile.js';
import { NestedInterceptStructure } from '../../stats/lmm/nested.js';
import { chiSquareCdf, tQuantile, tTwoSidedP } from '../../stats/distributions.js';
import { nullModelData, type Design } from './design.js';
import { krLayout } from './random.js';
import type { ComparisonRow, Decomposition, FixedEffect, ModelFitResult, ModelSpec, R2, VarianceComponent } from './types.js';

/** The likelihood figures of a fit as the result reports them: REML criterion, or (ML only) deviance, AIC and BIC. */
export function fitCriteria(fit: LmmFit, ml: boolean | undefined): Pick<ModelFitResult, 'logLik' | 'remlCriterion' | 'deviance' | 'aic' | 'bic' | 'npar'> {
  return {
    logLik: fit.logLik,
    remlCriterion: ml ? null : fit.deviance,
    deviance: ml ? fit.deviance : null,
    aic: ml ? fit.aic : null,
    bic: ml ? fit.bic : null,
    npar: fit.npar,
  };
}

export function fixedRow(term: string, est: number, se: number, df: number): FixedEffect {
  const t = est / se;
  const dfOk = Number.isFinite(df) && df > 0;
  const q = dfOk ? tQuantile(0.975, df) : NaN;
  return {
    term,
    estimate: est,
    se,
    df: dfOk ? df : null,
    t,
    p: dfOk ? tTwoSidedP(t, df) : null,
    lower: dfOk ? est - q * se : null,
    upper: dfOk ? est + q * se : null,
  };
}

export function nakagawaR2(data: GroupedCrossProducts, fit: LmmFit, variance: VarianceComponent[], slopeCol: number, correlation: number | null): R2 {
  const k = data.p + 1;
  const p = data.p;
  const tot = new Float64Array(k * k);
  for (let g = 0; g < data.groups; g++) for (let e = 0; e < k * k; e++) tot[e] += data.cross[g * k * k + e];
  const n = tot[0];
  // variance (n - 1) of X b: b' Cov(X) b over the non-intercept columns (shift-invariant)
  let vf = 0;
  for (let i = 1; i < p; i++) {
    for (let j = 1; j < p; j++) vf += fit.beta[i] * fit.beta[j] * ((tot[i * k + j] - (tot[i] * tot[j]) / n) / (n - 1));
  }
  const ve = fit.sigma * fit.sigma;
  // performance/insight: a variance parameter at the boundary (tolerance 1e-5) makes the
  // random variances "not available"
  let vr: number | null = null;
  const atBoundary = fit.theta.some((t, i) => i < fit.theta.length && isDiagonalTheta(fit, i) && Math.abs(t) < 1e-5);
  if (!atBoundary) {
    const clientVars = variance.filter((v) => v.group !== 'residual');
    if (slopeCol > 0) {
      // mean over rows of z' Sigma z with z = (1, x_slope); the slope column is never shifted;
      // plus the therapist intercept variance when there is one
      const v1 = clientVars[0].variance;
      const v2 = clientVars[1].variance;
      const cov = (correlation ?? 0) * Math.sqrt(v1 * v2);
      vr = v1 + (2 * cov * tot[slopeCol]) / n + (v2 * tot[slopeCol * k + slopeCol]) / n;
      for (const v of clientVars.slice(2)) vr += v.variance;
    } else {
      vr = clientVars.reduce((a, v) => a + v.variance, 0);
    }
  }
  const total = vf + (vr ?? 0) + ve;
  return { marginal: vf / total, conditional: vr === null ? null : (vf + vr) / total, varianceFixed: vf, varianceRandom: vr, varianceResidual: ve };
}

/** Below this many therapists the therapist component is flagged as poorly estimated. */
export const DECOMPOSE_WARN_THERAPISTS = 10;

/**
 * --decompose therapist: the therapist ICCs of the outcome and of the alliance (null models
 * y ~ 1 + (1 | therapist) + (1 | therapist:client), REML, on the rows used: therapist
 * variance over the total), and a sentence saying which components carry the association
 * (a component "carries" it when its coefficient's Satterthwaite p < .05).
 */
export function decompose(design: Design, structure: NestedInterceptStructure, terms: string[], fixed: FixedEffect[], notes: string[]): Decomposition {
  const icc = (d: GroupedCrossProducts): number | null => {
    try {
      const f = fitLmm(new NestedInterceptStructure(d, structure.parent, structure.therapists), d.nobs, 1, true);
      const vc = f.theta[0] ** 2;
      const vt = f.theta[1] ** 2;
      return vt / (vt + vc + 1);
    } catch (e) {
      if (e instanceof LmmError) return null;
      throw e;
    }
  };
  const therapists = structure.therapists;
  const sentence = componentSentence(therapists, terms, fixed, notes, [
    [1, 'session-to-session changes within clients'],
    [2, 'differences between clients of the same therapist'],
    [3, 'differences between therapists'],
  ]);
  return { iccOutcome: icc(nullModelData(design)), iccAlliance: design.nullPredictor && icc(design.nullPredictor), therapists, sentence };
}

/**
 * The decomposition's plain sentence: which components (coefficient j, described by its
 * label) carry the association, i.e. have p < .05 in their t test, and which do not
 * detectably; with fewer than DECOMPOSE_WARN_THERAPISTS therapists, a note that the
 * therapist component is poorly estimated.
 */
export function componentSentence(therapists: number, terms: string[], fixed: FixedEffect[], notes: string[], labels: [number, string][]): string {
  if (therapists < DECOMPOSE_WARN_THERAPISTS) {
    notes.push(
      `Only ${therapists} therapists: the therapist component and the therapist variance are poorly estimated (Baldwin, Wampold & Imel 2007 used 80 therapists); read the therapist row as indicative at most.`,
    );
  }
  const parts = labels.map(([j, label]) => {
    const b = fixed[j].estimate;
    const p = fixed[j].p ?? NaN;
    return { j, label, b, p, carries: p < 0.05 };
  });
  const carrying = parts.filter((x) => x.carries);
  const fmt = (x: { j: number; label: string; b: number; p: number }): string =>
    `${x.label} (${terms[x.j]}: b = ${x.b.toPrecision(3)}, p ${Number.isFinite(x.p) ? (x.p < 0.001 ? '< .001' : `= ${x.p.toFixed(3)}`) : 'not computable'})`;
  return carrying.length === 0
    ? `${parts.length === 3 ? 'None of the three alliance components is' : 'Neither alliance component is'} significantly associated with the outcome at p < .05: ${parts.map(fmt).join('; ')}.`
    : `The alliance-outcome association is carried by ${carrying.map(fmt).join(' and by ')}${
        carrying.length < parts.length
          ? `; not detectably by ${parts
              .filter((x) => !x.carries)
              .map(fmt)
              .join(' or by ')}`
          : ''
      }.`;
}

/** Whether theta[i] is a diagonal element of a relative Cholesky factor (lower bound 0). */
function isDiagonalTheta(fit: LmmFit, i: number): boolean {
  return fit.thetaLower[i] === 0;
}

export function standardizedRefit(structure: RandomStructure, terms: string[], reml: boolean, kr: boolean): FixedEffect[] | null {
  try {
    const f = fitLmm(structure, structure.data.nobs, structure.data.p, reml);
    return fixedTests(structure, f, terms, kr).fixed;
  } catch (e) {
    if (e instanceof LmmError) return null;
    throw e;
  }
}

/**
 * The t test of each coefficient and of the contextual effect (the second term minus the
 * first: between - within): Satterthwaite as lmerTest's contest1D, or with `kr` Kenward-Roger
 * as lmerTest's summary(ddf = "Kenward-Roger") (pbkrtest's adjusted covariance, so adjusted
 * SEs, and Lb_ddf df). `method` says which was used: like lmerTest, when the KR computation
 * fails the Satterthwaite tests are given instead.
 */
export function fixedTests(
  structure: RandomStructure,
  fit: LmmFit,
  terms: string[],
  kr: boolean,
): { fixed: FixedEffect[]; contextual: FixedEffect; method: 'Satterthwaite' | 'Kenward-Roger' } {
  const L = terms.map(() => 0);
  L[1] = -1;
  L[2] = 1;
  const label = `${terms[2]} - ${terms[1]}`;
  const p = fit.p;
  const adj = kr ? tryKenwardRoger(structure, fit) : null;
  if (adj) {
    const unit = (j: number): number[] => terms.map((_, i) => (i === j ? 1 : 0));
    const fixed = terms.map((term, j) => fixedRow(term, fit.beta[j], Math.sqrt(adj.vcovAdjusted[j * p + j]), adj.df(unit(j))));
    const estimate = fit.beta[2] - fit.beta[1];
    const contextual = fixedRow(label, estimate, Math.sqrt(quadForm(L, adj.vcovAdjusted, p)), adj.df(L));
    return { fixed, contextual, method: 'Kenward-Roger' };
  }
  const fixed = terms.map((term, j) => fixedRow(term, fit.beta[j], fit.se[j], fit.df[j]));
  const ctr = satterthwaiteContrast(fit, L);
  return { fixed, contextual: fixedRow(label, ctr.estimate, ctr.se, ctr.df), method: 'Satterthwaite' };
}

function tryKenwardRoger(structure: RandomStructure, fit: LmmFit): KrAdjusted | null {
  try {
    const adj = kenwardRoger(structure.data, krLayout(structure, fit));
    return adj.vcovAdjusted.every(Number.isFinite) ? adj : null;
  } catch {
    return null;
  }
}

/**
 * --compare: ML fits of the nested sequence on the same rows, and the likelihood-ratio tests
 * of each against the one before, as anova() on lme4 fits (which refits by ML):
 *   null:     the model without the alliance terms (keeps session, covariates, the previous
 *             outcome of a lagged model), same random intercept(s)
 *   alliance: + _within + _between, same random intercept(s)
 *   slope:    + the random slope (when asked)
 */
export function compareSequence(
  spec: ModelSpec,
  data: GroupedCrossProducts,
  terms: string[],
  makeStructure: (d: GroupedCrossProducts, interceptOnly?: boolean) => RandomStructure,
  slopeTerm: string | null,
  therapist: boolean,
): ComparisonRow[] | null {
  const allianceCols = spec.decompose ? [1, 2, 3] : [1, 2];
  const rest = terms.map((_, j) => j).filter((j) => j > allianceCols.length);
  const re = therapist ? '(1 | therapist) + (1 | therapist:client)' : '(1 | client)';
  const resp = spec.lag ? `${spec.reverse ? spec.alliance : spec.outcome}(s+1)` : spec.outcome;
  const rhs = (cols: number[]): string => (cols.length === 0 ? '1' : cols.map((j) => terms[j]).join(' + '));
  const models: { model: string; formula: string; d: GroupedCrossProducts; interceptOnly: boolean }[] = [
    { model: 'null', formula: `${resp} ~ ${rhs(rest)} + ${re}`, d: selectColumns(data, [0, ...rest]), interceptOnly: true },
    {
      model: `+ ${allianceCols.map((j) => terms[j]).join(' + ')}`,
      formula: `${resp} ~ ${rhs([...allianceCols, ...rest])} + ${re}`,
      d: data,
      interceptOnly: true,
    },
  ];
  if (slopeTerm) {
    const reSlope = `(1 + ${slopeTerm} | client)${therapist ? ' + (1 | therapist)' : ''}`;
    models.push({ model: `+ random slope of ${slopeTerm}`, formula: `${resp} ~ ${rhs([1, 2, ...rest])} + ${reSlope}`, d: data, interceptOnly: false });
  }
  const rows: ComparisonRow[] = [];
  for (const m of models) {
    let f: LmmFit;
    try {
      f = fitLmm(makeStructure(m.d, m.interceptOnly), m.d.nobs, m.d.p, false);
    } catch (e) {
      if (e instanceof LmmError) return null;
      throw e;
    }
    const prev = rows[rows.length - 1];
    let chisq: number | null = null;
    let df: number | null = null;
    let p: number | null = null;
    if (prev) {
      chisq = Math.max(0, prev.deviance - f.deviance);
      df = f.npar - prev.npar;
      p = chiSquareCdf(chisq, df, false);
    }
    rows.push({ model: m.model, formula: m.formula, npar: f.npar, aic: f.aic, bic: f.bic, logLik: f.logLik, deviance: f.deviance, chisq, df, p });
  }
  return rows;
}

/**
 * Fixed-effect columns constant within every group (column 0, the intercept, always is):
 * a column's within-group sum of squares S_jj - S_0j^2 / n_g is zero (to rounding) in each.
 */
export function clientLevelColumns(data: GroupedCrossProducts): number[] {
  const k = data.p + 1;
  const kk = k * k;
  const out: number[] = [0];
  for (let j = 1; j < data.p; j++) {
    let constant = true;
    for (let g = 0; g < data.groups && constant; g++) {
      const base = g * kk;
      const n = data.cross[base];
      const sj = data.cross[base + j];
      const sjj = data.cross[base + j * k + j];
      const within = sjj - (sj * sj) / n;
      if (within > 1e-10 * Math.max(sjj, 1e-300)) constant = false;
    }
    if (constant) out.push(j);
  }
  return out;
}
