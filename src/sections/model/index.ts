/**
 * The model section: `alliance model` and the report's model section. Both read the same
 * settings (./options.ts), build the same ModelSpec and fit it here, so they add the same
 * notes.
 */
import { UserError } from '../../errors.js';
import { fitModel, rawCovariates, MIN_THERAPISTS, type ModelResult, type ModelSpec } from '../../analysis/model.js';
import { checkKeys } from '../../config/keys.js';
import type { Dataset } from '../../dataset/types.js';
import { modelDocument } from './document.js';
import { modelManuscript } from '../../report/manuscript/lmm.js';
import { modelCharts } from '../../report/html/charts.js';
import { modelCards } from '../../report/cards.js';
import type { Section } from '../section.js';
import { commandPlace, modelChoices, modelSettings, modelSpec, SECTION_KEYS, type ModelPlace, type ModelSettings } from './options.js';

export interface ModelOptions {
  set: ModelSettings;
  /** How the options are named in messages (flags, or the config's model keys at their lines). */
  place: ModelPlace;
}

/** Fits the model (covariates read from the raw records) and adds the notes about the data it was fitted on. */
export async function runModel(dataset: Dataset, spec: ModelSpec): Promise<ModelResult> {
  const cov = spec.covariates && spec.covariates.length > 0 ? rawCovariates(dataset, spec.covariates) : undefined;
  const result = await fitModel(dataset, spec, cov);
  if (cov) {
    if (cov.counts.unmatched > 0) {
      result.notes.push(`Covariates could not be read for ${cov.counts.unmatched} row(s) (joined exports): those rows were left out.`);
    }
    cov.counts.unusable.forEach((n, j) => {
      if (n > 0)
        result.notes.push(
          `${n} unusable value(s) in covariate ${spec.covariates![j]} (not numeric, out of the instrument's range, or a missing code such as -99) were treated as missing.`,
        );
    });
  }
  if (spec.time && dataset.mapping.sessionSource === 'file-order') {
    result.notes.push('Session numbers come from file order within client (no session or date column): --time uses them as they are.');
  }
  if (spec.therapistLevel && result.fit && result.fit.therapists === null) {
    result.notes.push(`(--group therapist needs at least ${MIN_THERAPISTS} therapists, each client with one therapist.)`);
  }
  return result;
}

/** Every reference the model section may cite; referencesFor keeps those a run uses (by the option named at the end of each). */
const MODEL_REFERENCES: readonly string[] = [
  'Curran, P. J., & Bauer, D. J. (2011). The disaggregation of within-person and between-person effects in longitudinal models of change. Annual Review of Psychology, 62, 583-619. doi:10.1146/annurev.psych.093008.100356 (within/between split, contextual effect).',
  'Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models using lme4. Journal of Statistical Software, 67(1), 1-48. doi:10.18637/jss.v067.i01 (REML/ML criterion; the fits are checked against lme4).',
  'Kuznetsova, A., Brockhoff, P. B., & Christensen, R. H. B. (2017). lmerTest package: Tests in linear mixed effects models. Journal of Statistical Software, 82(13), 1-26. doi:10.18637/jss.v082.i13 (Satterthwaite degrees of freedom).',
  'Nakagawa, S., & Schielzeth, H. (2013). A general and simple method for obtaining R2 from generalized linear mixed-effects models. Methods in Ecology and Evolution, 4(2), 133-142. doi:10.1111/j.2041-210x.2012.00261.x (marginal and conditional R2).',
  'Nakagawa, S., Johnson, P. C. D., & Schielzeth, H. (2017). The coefficient of determination R2 and intra-class correlation coefficient from generalized linear mixed-effects models revisited and expanded. Journal of the Royal Society Interface, 14(134), 20170213. doi:10.1098/rsif.2017.0213 (R2 with random slopes).',
  'Ben-Shachar, M. S., Lüdecke, D., & Makowski, D. (2020). effectsize: Estimation of effect size indices and standardized parameters. Journal of Open Source Software, 5(56), 2815. doi:10.21105/joss.02815 (standardised coefficients by refitting).',
  'Baldwin, S. A., Wampold, B. E., & Imel, Z. E. (2007). Untangling the alliance-outcome correlation: Exploring the relative importance of therapist and patient variability in the alliance. Journal of Consulting and Clinical Psychology, 75(6), 842-852. doi:10.1037/0022-006X.75.6.842 (--decompose therapist).',
  'Kenward, M. G., & Roger, J. H. (1997). Small sample inference for fixed effects from restricted maximum likelihood. Biometrics, 53(3), 983-997. doi:10.2307/2533558 (--df kr).',
  'Halekoh, U., & Højsgaard, S. (2014). A Kenward-Roger approximation and parametric bootstrap methods for tests in linear mixed models - the R package pbkrtest. Journal of Statistical Software, 59(9). doi:10.18637/jss.v059.i09 (--df kr, as pbkrtest computes it).',
  'Self, S. G., & Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood estimators and likelihood ratio tests under nonstandard conditions. Journal of the American Statistical Association, 82(398), 605-610. doi:10.1080/01621459.1987.10478472 (the random-slope likelihood-ratio test is on the boundary).',
];

export const modelSection: Section<ModelOptions, ModelResult> = {
  name: 'model',
  keys: SECTION_KEYS,
  // Not run unless listed: it needs one outcome and one alliance column chosen.
  reportDefault: false,
  options(src) {
    if (src.mode === 'command') return { set: modelSettings(src.flags, new Set(src.explicit), src.config), place: commandPlace(src.explicit, src.config) };
    // The report: the same keys as the flags, checked before any data is read. Random
    // effects (BLUPs) are per-client figures, so they follow report.clientTables.
    const r = src.report!;
    const sec = src.config!.sections.model ?? {};
    const at = r.at;
    checkKeys(sec, { section: 'model', known: SECTION_KEYS, at, camelCase: true });
    if (sec.randomEffects !== undefined) {
      throw new UserError("model: random effects (per-client BLUPs) are set by 'report.clientTables', not 'model.randomEffects'", {
        location: { file: at.file, line: at.line('model.randomEffects') },
        hint: 'Remove randomEffects and set clientTables: true under report: to include them',
      });
    }
    const set = modelSettings({}, new Set(), src.config);
    set.randomEffects = r.clientTables;
    const hasCovariates = sec.covariates !== undefined;
    const place: ModelPlace = {
      config: true,
      at: (attr) => ({ file: at.file, line: at.line(`model.${attr === 'covariate' && hasCovariates ? 'covariates' : attr}`) }),
    };
    modelChoices(set, place);
    return { set, place };
  },
  // `--group therapist` asks for the therapist level: it is not a grouping column to map.
  inputFlags: (flags) => ({ ...flags, group: undefined, groups: undefined }),
  run: (dataset, opts) => runModel(dataset, modelSpec(dataset, opts.set, opts.place)),
  manuscript: (result, dataset) => modelManuscript(result, dataset),
  document: (result, dataset) => modelDocument(result, dataset),
  html: {
    id: 'model',
    heading: 'Mixed model',
    intro: (m) => [
      m.spec.level === 'client'
        ? `One row per client: the final outcome on the client's alliance split into the therapist's mean and the client's deviation from it, controlling intake, with a random intercept per therapist (Baldwin, Wampold & Imel 2007); fixed-effect tests use ${m.fit?.dfMethod ?? 'Satterthwaite'} degrees of freedom.`
        : `A linear mixed model separates the session-to-session (within-client) association of alliance with outcome from the client-average (between-client) one, with a random intercept per client; fixed-effect tests use ${m.fit?.dfMethod ?? 'Satterthwaite'} degrees of freedom.`,
    ],
  },
  charts: modelCharts,
  headlines: (m, ctx) => modelCards(m, ctx.name),
  resolved: (opts) => opts.set,
  references: MODEL_REFERENCES,
  referencesFor: (opts) =>
    MODEL_REFERENCES.filter((r) => {
      if (r.includes('(--decompose therapist)')) return opts.set.decompose !== undefined;
      if (r.includes('(--df kr')) return opts.set.df === 'kr' || opts.set.df === 'kenward-roger';
      if (r.includes('random-slope likelihood-ratio test')) return opts.set.compare && Boolean(opts.set.randomSlope);
      return true;
    }),
};
