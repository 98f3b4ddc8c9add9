/**
 * The lme4 / lmerTest reference cases written by test/reference/lmm.R, and a relative
 * tolerance check, shared by the LMM numerics and the model analysis tests.
 */
import { readFileSync } from 'node:fs';

export interface RefCase {
  name: string;
  dataset: string;
  spec: {
    ml?: boolean;
    time?: boolean;
    random_slope?: boolean;
    slope_time?: boolean;
    lag?: boolean;
    reverse?: boolean;
    nested?: boolean;
    covariates?: string[];
  };
  design: { client: string[]; therapist: string[] | null; y: number[]; columns: Record<string, number[]> };
  reml: boolean;
  nobs: number;
  ngroups: Record<string, number>;
  fixef: { term: string[]; estimate: number[]; se: number[]; df: number[]; t: number[]; p: number[]; lower: number[]; upper: number[] };
  varcomp: { grp: string[]; var1: (string | null)[]; var2: (string | null)[]; vcov: number[]; sdcor: number[] };
  theta: number[];
  sigma: number;
  logLik: number;
  df_logLik: number;
  REMLcrit: number | null;
  deviance_ml: number | null;
  AIC: number;
  BIC: number;
  singular: boolean;
  blups: { group: string; levels: string[]; terms: string[]; values: number[][]; condsd: number[][] }[];
  /** lme4's default-tolerance fit (the fields above are from a tightly converged fit). */
  default: Omit<RefCase, 'name' | 'dataset' | 'spec' | 'design' | 'default' | 'null_icc' | 'null_varcomp' | 'vcov_varpar' | 'contextual'>;
  null_icc: number;
  null_varcomp: number[];
  /** lmerTest's fit@vcov_varpar (rows). */
  vcov_varpar: number[][];
  /** lmerTest::contest1D for alliance_between - alliance_within. */
  contextual: { estimate: number; se: number; df: number; t: number; p: number; lower: number; upper: number };
}

export const REF_RAW = JSON.parse(readFileSync(new URL('../../reference/lmm.json', import.meta.url), 'utf8')) as Record<string, unknown>;

export const REF = REF_RAW as unknown as {
  versions: Record<string, string>;
  cases: RefCase[];
};

/** |actual - expected| <= rel * |expected| + abs */
export function close(actual: number, expected: number, rel: number, abs = 0): void {
  const tol = rel * Math.abs(expected) + abs;
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`expected ${actual} to be within ${tol} of ${expected}`);
  }
}
