/**
 * The built-in instrument registry: scoring metadata only (no item text; SRS/ORS items are
 * licensed). Data, not code: one record per instrument, each value with the source it came
 * from: the instrument's primary source (validation paper or manual, DOI where one exists),
 * or, for a service rule, the document that sets it and the word "convention". A value
 * attributed to a source whose text could not be checked says so ("not confirmed from the
 * primary source"). Users can override every value from a config file
 * (`instrumentOverrides`, see `validateOverride` and `withOverrides`).
 *
 * Header aliases are normalised (lowercase, letters and digits only). An alias is bound to
 * one instrument only; spellings that name several instruments are bound to none:
 *   - "wai" (WAI-SR 1-5 or WAI-S 1-7): unbound; bind it with --instrument, or let the
 *     validator's scoring-variant check (detectVariant) propose one from the range.
 *   - "core" (CORE-10 or CORE-OM), "haq" (also the rheumatology Health Assessment
 *     Questionnaire), "oq" (OQ-30 or OQ-45), "kessler" (K6 or K10): unbound for the same
 *     reason. ("wais" is the normalised id of WAI-S, so it binds there, although it also
 *     names the Wechsler Adult Intelligence Scale.)
 *   - "bdi" is bound to BDI-II (the first edition has the same 0-63 range).
 */
import type { Instrument } from './types.js';
import { normalizeName } from '../names.js';

export { normalizeName };

/**
 * Marks a value attributed to a primary source whose text could not be checked here; the
 * value is the one that source is known for. Check it before relying on it, or override it.
 */
const NOT_CONFIRMED = '(not confirmed from the primary source)';

/**
 * Sources, spelled once. Each names the primary document (validation paper or manual; DOI
 * where one exists). A service rule rather than a published norm says "convention" and
 * names the document that sets it.
 */
const S = {
  srs: 'Duncan, Miller, Sparks, Claud, Reynolds, Brown & Johnson 2003, The Session Rating Scale: preliminary psychometric properties of a "working" alliance measure, J Brief Ther 3(1):3-12 (no DOI): 4 visual-analogue items of 10 cm, total 0-40, higher = stronger alliance',
  srsCut: `convention (PCOMS): an SRS total below 36 is discussed with the client as an alliance concern - Miller & Duncan 2004, The Outcome and Session Rating Scales: Administration and Scoring Manual (Institute for the Study of Therapeutic Change); Duncan 2012, Canadian Psychology 53(2):93-104, doi:10.1037/a0027762 ${NOT_CONFIRMED}`,
  srsDrop: `convention (PCOMS): any decrease of the SRS total from the previous session is discussed with the client - Miller & Duncan 2004, The Outcome and Session Rating Scales: Administration and Scoring Manual; Duncan 2012, doi:10.1037/a0027762 ${NOT_CONFIRMED}`,
  ors: 'Miller, Duncan, Brown, Sparks & Claud 2003, The Outcome Rating Scale: a preliminary study of the reliability, validity, and feasibility of a brief visual analog measure, J Brief Ther 2(2):91-100 (no DOI): 4 visual-analogue items of 10 cm, total 0-40, higher = better functioning',
  orsCut: `Miller et al. 2003, J Brief Ther 2(2):91-100: clinical cut-off 25 (Jacobson & Truax 1991 method, doi:10.1037/0022-006X.59.1.12); a score of exactly 25 counts as clinical by the PCOMS convention ("at or below 25"; Duncan 2012, doi:10.1037/a0027762) ${NOT_CONFIRMED}`,
  orsRci: `Miller et al. 2003, J Brief Ther 2(2):91-100: reliable change index 5 points (Jacobson & Truax 1991, doi:10.1037/0022-006X.59.1.12) ${NOT_CONFIRMED}`,
  orsYouth: `Duncan, Sparks, Miller, Bohanske & Claud 2006, Giving youth a voice: a preliminary study of the reliability and validity of a brief outcome measure for children, adolescents, and caretakers, J Brief Ther 5(2):71-87 (no DOI): cut-offs 32 for children (CORS) and 28 for adolescents ${NOT_CONFIRMED}`,
  waisr:
    'Hatcher & Gillaspy 2006, Development and validation of a revised short version of the Working Alliance Inventory, Psychother Res 16(1):12-25, doi:10.1080/10503300500352500: 12 items rated 1-5, total 12-60, higher = stronger alliance',
  waisrSub: `Hatcher & Gillaspy 2006, doi:10.1080/10503300500352500 (subscale items: task 1, 2, 10, 12; bond 3, 5, 7, 9; goal 4, 6, 8, 11) ${NOT_CONFIRMED}`,
  wais: 'Tracey & Kokotovic 1989, Factor structure of the Working Alliance Inventory, Psychol Assess 1(3):207-210, doi:10.1037/1040-3590.1.3.207: 12 items rated 1-7, total 12-84, higher = stronger alliance',
  sai: `Falkenstrom, Hatcher, Skjulsvik, Larsson & Holmqvist 2015, Development and validation of a 6-item working alliance questionnaire for repeated administrations during psychotherapy, Psychol Assess 27(1):169-183, doi:10.1037/pas0000038: 6 items, higher = stronger alliance; item range 0-6 ${NOT_CONFIRMED}`,
  haq: `Luborsky, Barber, Siqueland, Johnson, Najavits, Frank & Daley 1996, The Revised Helping Alliance Questionnaire (HAq-II): psychometric properties, J Psychother Pract Res 5(3):260-271 (no DOI): 19 items, higher = stronger alliance; items rated 1-6 ${NOT_CONFIRMED}`,
  phq: 'Kroenke, Spitzer & Williams 2001, The PHQ-9: validity of a brief depression severity measure, J Gen Intern Med 16(9):606-613, doi:10.1046/j.1525-1497.2001.016009606.x: 9 items rated 0-3, total 0-27, higher = more severe; >= 10 major depression cut-point; bands 5, 10, 15, 20',
  iaptRc: (points: number, measure: string) =>
    `convention (NHS IAPT / NHS Talking Therapies): reliable improvement or deterioration is a change of ${points} or more points on the ${measure} - NHS IAPT 2011, The IAPT Data Handbook: guidance on recording and monitoring outcomes to support local evidence-based practice, version 2; as applied in Gyani, Shafran, Layard & Clark 2013, Behav Res Ther 51(9):597-606, doi:10.1016/j.brat.2013.06.004`,
  iaptGadCut:
    'convention (NHS IAPT / NHS Talking Therapies): GAD-7 caseness is a score of 8 or more - NHS IAPT 2011, The IAPT Data Handbook, version 2; as applied in Gyani et al. 2013, doi:10.1016/j.brat.2013.06.004',
  gad: 'Spitzer, Kroenke, Williams & Lowe 2006, A brief measure for assessing generalized anxiety disorder: the GAD-7, Arch Intern Med 166(10):1092-1097, doi:10.1001/archinte.166.10.1092: 7 items rated 0-3, total 0-21, higher = more severe; >= 10 cut-point; bands 5, 10, 15',
  oq: 'Lambert, Morton, Hatfield, Harmon, Hamilton, Reid, Shimokawa, Christopherson & Burlingame 2004, Administration and Scoring Manual for the OQ-45.2 (American Professional Credentialing Services; no DOI): 45 items rated 0-4, total 0-180, higher = more distress',
  oqCut: `Lambert et al. 2004, OQ-45.2 Administration and Scoring Manual: clinical cut-off 63/64 (64 or more is the dysfunctional range; Jacobson & Truax 1991 method, doi:10.1037/0022-006X.59.1.12) ${NOT_CONFIRMED}`,
  oqRci: `Lambert et al. 2004, OQ-45.2 Administration and Scoring Manual: reliable change index 14 points ${NOT_CONFIRMED}`,
  core10:
    'Barkham, Bewick, Mullin, Gilbody, Connell, Cahill, Mellor-Clark, Richards, Unsworth & Evans 2013, The CORE-10: a short measure of psychological distress for routine use in the psychological therapies, Couns Psychother Res 13(1):3-13, doi:10.1080/14733145.2012.729069: 10 items rated 0-4, total 0-40, higher = more distress',
  core10Cut:
    'Barkham et al. 2013, doi:10.1080/14733145.2012.729069 (abstract: clinical cut-off 11.0 for general psychological distress); 11 or more is the clinical range',
  core10Rci: 'Barkham et al. 2013, doi:10.1080/14733145.2012.729069 (abstract: reliable change index 6, 90% CI)',
  coreom:
    'Evans, Connell, Barkham, Margison, McGrath, Mellor-Clark & Audin 2002, Towards a standardised brief outcome measure: psychometric properties and utility of the CORE-OM, Br J Psychiatry 180:51-60, doi:10.1192/bjp.180.1.51: 34 items rated 0-4, mean item 0-4 (clinical score = mean x 10, 0-40), higher = more distress',
  coreomCut: `Connell, Barkham, Stiles, Twigg, Singleton, Evans & Miles 2007, Distribution of CORE-OM scores in a general population, clinical cut-off points and comparison with the CIS-R, Br J Psychiatry 190:69-74: cut-off 1.0 mean item (clinical score 10) ${NOT_CONFIRMED}`,
  coreomRci: `Evans et al. 2002, doi:10.1192/bjp.180.1.51: reliable change about 0.5 mean item (clinical score 5) ${NOT_CONFIRMED}`,
  k10: 'Kessler, Andrews, Colpe, Hiripi, Mroczek, Normand, Walters & Zaslavsky 2002, Short screening scales to monitor population prevalences and trends in non-specific psychological distress, Psychol Med 32(6):959-976, doi:10.1017/S0033291702006074: 10 items rated 1-5, total 10-50, higher = more distress',
  k10Cut: `Andrews & Slade 2001, Interpreting scores on the Kessler Psychological Distress Scale (K10), Aust N Z J Public Health 25(6):494-497, doi:10.1111/j.1467-842X.2001.tb00310.x: under 20 likely to be well ${NOT_CONFIRMED}`,
  bdi: 'Beck, Steer & Brown 1996, Manual for the Beck Depression Inventory-II (Psychological Corporation; no DOI): 21 items rated 0-3, total 0-63, higher = more severe',
  bdiCut: 'Beck, Steer & Brown 1996, BDI-II Manual: 0-13 minimal, 14-19 mild, 20-28 moderate, 29-63 severe',
};

export const INSTRUMENTS: Instrument[] = [
  // ---- alliance measures -------------------------------------------------------------
  {
    id: 'SRS',
    name: 'Session Rating Scale',
    construct: 'alliance',
    items: 4,
    itemRange: [0, 10],
    range: { value: [0, 40], source: S.srs },
    integer: false,
    higherIsBetter: true,
    directionSource: S.srs,
    cutoff: { value: 36, clinicalIf: '<', source: S.srsCut },
    allianceDrop: { value: 1, source: S.srsDrop },
    aliases: ['srs', 'srstotal', 'srsscore', 'sessionratingscale'],
    notes: 'Scored to one decimal (cm on four 10 cm lines). Item text is licensed and not shipped.',
  },
  {
    id: 'WAI-SR',
    name: 'Working Alliance Inventory - Short Revised',
    construct: 'alliance',
    items: 12,
    itemRange: [1, 5],
    range: { value: [12, 60], source: S.waisr },
    integer: true,
    higherIsBetter: true,
    directionSource: S.waisr,
    aliases: ['waisr', 'waisrtotal', 'waisrscore', 'workingallianceinventoryshortrevised'],
    variants: [
      { name: 'WAI 7-point (WAI-S scoring)', range: [12, 84], note: '12 items rated 1-7, as the WAI-S; bind the column to WAI-S' },
      { name: 'WAI-SR mean item', range: [1, 5], note: 'mean of the 12 items (1-5) instead of their sum' },
    ],
    notes: `Subscales (sum of 4 items each, 4-20): ${S.waisrSub}. The bare header "wai" is bound to no instrument (WAI-SR or WAI-S).`,
  },
  {
    id: 'WAI-S',
    name: 'Working Alliance Inventory - Short Form (12 items, 7-point)',
    construct: 'alliance',
    items: 12,
    itemRange: [1, 7],
    range: { value: [12, 84], source: S.wais },
    integer: true,
    higherIsBetter: true,
    directionSource: S.wais,
    aliases: ['waistotal', 'waisscore', 'waishort', 'waishortform', 'workingallianceinventoryshortform'],
    variants: [
      { name: 'WAI 5-point (WAI-SR scoring)', range: [12, 60], note: '12 items rated 1-5, as the WAI-SR; bind the column to WAI-SR' },
      { name: 'WAI-S mean item', range: [1, 7], note: 'mean of the 12 items (1-7) instead of their sum' },
    ],
    notes: 'A header "WAIS" binds here (it is the normalised id); if it is the Wechsler Adult Intelligence Scale, leave it out of --alliance.',
  },
  {
    id: 'SAI',
    name: 'Session Alliance Inventory',
    construct: 'alliance',
    items: 6,
    itemRange: [0, 6],
    range: { value: [0, 36], source: S.sai },
    integer: true,
    higherIsBetter: true,
    directionSource: S.sai,
    aliases: ['sai', 'saitotal', 'saiscore', 'sessionallianceinventory'],
    variants: [{ name: 'SAI mean item', range: [0, 6], note: 'mean of the 6 items instead of their sum' }],
  },
  {
    id: 'HAq-II',
    name: 'Revised Helping Alliance Questionnaire',
    construct: 'alliance',
    items: 19,
    itemRange: [1, 6],
    range: { value: [19, 114], source: S.haq },
    integer: true,
    higherIsBetter: true,
    directionSource: S.haq,
    aliases: ['haqii', 'haq2', 'haqiitotal', 'haq2total', 'haqiiscore', 'helpingalliancequestionnaire'],
    variants: [{ name: 'HAq-II mean item', range: [1, 6], note: 'mean of the 19 items instead of their sum' }],
    notes: `Negatively worded items 4, 8, 11, 16, 19 are reverse-scored before summing (Luborsky et al. 1996, J Psychother Pract Res 5(3):260-271; item list ${NOT_CONFIRMED}).`,
  },
  // ---- outcome measures --------------------------------------------------------------
  {
    id: 'ORS',
    name: 'Outcome Rating Scale',
    construct: 'outcome',
    items: 4,
    itemRange: [0, 10],
    range: { value: [0, 40], source: S.ors },
    integer: false,
    higherIsBetter: true,
    directionSource: S.ors,
    cutoff: { value: 25, clinicalIf: '<=', source: S.orsCut },
    reliableChange: { value: 5, source: S.orsRci },
    aliases: ['ors', 'orstotal', 'orsscore', 'outcomeratingscale'],
    notes: `Adult cutoff. Children (CORS): 32; adolescents: 28 (${S.orsYouth}). Override the cutoff for youth services. Scored to one decimal.`,
  },
  {
    id: 'PHQ-9',
    name: 'Patient Health Questionnaire-9',
    construct: 'outcome',
    items: 9,
    itemRange: [0, 3],
    range: { value: [0, 27], source: S.phq },
    integer: true,
    higherIsBetter: false,
    directionSource: S.phq,
    cutoff: { value: 10, clinicalIf: '>=', source: S.phq },
    reliableChange: { value: 6, source: S.iaptRc(6, 'PHQ-9') },
    aliases: ['phq9', 'phq9total', 'phq9score', 'phq', 'phqtotal', 'patienthealthquestionnaire9'],
    notes:
      'Severity bands 5 / 10 / 15 / 20: mild, moderate, moderately severe, severe (Kroenke, Spitzer & Williams 2001, doi:10.1046/j.1525-1497.2001.016009606.x).',
  },
  {
    id: 'GAD-7',
    name: 'Generalized Anxiety Disorder-7',
    construct: 'outcome',
    items: 7,
    itemRange: [0, 3],
    range: { value: [0, 21], source: S.gad },
    integer: true,
    higherIsBetter: false,
    directionSource: S.gad,
    cutoff: { value: 8, clinicalIf: '>=', source: S.iaptGadCut },
    reliableChange: { value: 4, source: S.iaptRc(4, 'GAD-7') },
    aliases: ['gad7', 'gad7total', 'gad7score', 'gad', 'gadtotal', 'generalizedanxietydisorder7'],
    notes:
      'The original paper proposed >= 10 for caseness (Spitzer et al. 2006, doi:10.1001/archinte.166.10.1092); services using the IAPT convention use >= 8, which the registry follows.',
  },
  {
    id: 'OQ-45',
    name: 'Outcome Questionnaire-45.2',
    construct: 'outcome',
    items: 45,
    itemRange: [0, 4],
    range: { value: [0, 180], source: S.oq },
    integer: true,
    higherIsBetter: false,
    directionSource: S.oq,
    cutoff: { value: 64, clinicalIf: '>=', source: S.oqCut },
    reliableChange: { value: 14, source: S.oqRci },
    aliases: ['oq45', 'oq452', 'oq45total', 'oq452total', 'oq45score', 'outcomequestionnaire45'],
    notes:
      'Dutch norms differ: cutoff 56, RCI 18 (Timman, de Jong & de Neve-Enthoven 2017, Clin Psychol Psychother 24(1):72-81, doi:10.1002/cpp.1979). Override for your population.',
  },
  {
    id: 'CORE-10',
    name: 'Clinical Outcomes in Routine Evaluation - 10',
    construct: 'outcome',
    items: 10,
    itemRange: [0, 4],
    range: { value: [0, 40], source: S.core10 },
    integer: true,
    higherIsBetter: false,
    directionSource: S.core10,
    cutoff: { value: 11, clinicalIf: '>=', source: S.core10Cut },
    reliableChange: { value: 6, source: S.core10Rci },
    aliases: ['core10', 'core10total', 'core10score', 'core10clinicalscore'],
    variants: [{ name: 'CORE-10 mean item', range: [0, 4], note: 'mean item score (0-4) instead of the 0-40 total' }],
    notes: `Items 2 and 3 are positively worded and reverse-scored; with missing items prorate 10 x sum / answered (Connell & Barkham 2007, CORE-10 User Manual, version 1.0, CORE System Trust ${NOT_CONFIRMED}).`,
  },
  {
    id: 'CORE-OM',
    name: 'Clinical Outcomes in Routine Evaluation - Outcome Measure',
    construct: 'outcome',
    items: 34,
    itemRange: [0, 4],
    range: { value: [0, 40], source: S.coreom },
    integer: false,
    higherIsBetter: false,
    directionSource: S.coreom,
    cutoff: { value: 10, clinicalIf: '>=', source: S.coreomCut },
    reliableChange: { value: 5, source: S.coreomRci },
    aliases: ['coreom', 'coreomtotal', 'coreomscore', 'coreomclinicalscore', 'core34'],
    variants: [
      { name: 'CORE-OM mean item', range: [0, 4], note: 'mean item score (0-4), the original scoring; multiply by 10 for the clinical score' },
      {
        name: 'CORE-OM raw total',
        range: [0, 136],
        note: 'sum of the 34 items (0-136); divide by the number answered and multiply by 10 for the clinical score',
      },
    ],
    notes: 'Clinical score = mean item x 10 (one decimal). Cut-offs differ by gender in some norms; override if you use them.',
  },
  {
    id: 'K10',
    name: 'Kessler Psychological Distress Scale',
    construct: 'outcome',
    items: 10,
    itemRange: [1, 5],
    range: { value: [10, 50], source: S.k10 },
    integer: true,
    higherIsBetter: false,
    directionSource: S.k10,
    cutoff: { value: 20, clinicalIf: '>=', source: S.k10Cut },
    aliases: ['k10', 'k10total', 'k10score', 'kessler10', 'kesslerpsychologicaldistressscale'],
    variants: [{ name: 'K10 0-40 (US scoring)', range: [0, 40], note: 'items scored 0-4 (US convention); add 10 for the 10-50 scale' }],
    notes: `Bands: ABS surveys 10-15 low, 16-21 moderate, 22-29 high, 30-50 very high (convention: Australian Bureau of Statistics 2003, Use of the Kessler Psychological Distress Scale in ABS Health Surveys, cat. 4817.0.55.001); primary care 10-19 likely well, 20-24 mild, 25-29 moderate, 30-50 severe (Andrews & Slade 2001, doi:10.1111/j.1467-842X.2001.tb00310.x ${NOT_CONFIRMED}). No reliable-change value is commonly used.`,
  },
  {
    id: 'BDI-II',
    name: 'Beck Depression Inventory-II',
    construct: 'outcome',
    items: 21,
    itemRange: [0, 3],
    range: { value: [0, 63], source: S.bdi },
    integer: true,
    higherIsBetter: false,
    directionSource: S.bdi,
    cutoff: { value: 14, clinicalIf: '>=', source: S.bdiCut },
    aliases: ['bdiii', 'bdi2', 'bdiiitotal', 'bdi2total', 'bdiiiscore', 'bdi', 'bditotal', 'beckdepressioninventory'],
    notes: `Bands: 0-13 minimal, 14-19 mild, 20-28 moderate, 29-63 severe (${S.bdiCut}). No reliable-change value for the BDI-II could be confirmed (Seggar, Lambert & Hansen 2002, Behav Ther 33(2):253-269, derived one for the original BDI); set one with an override if your service uses one.`,
  },
];

/** Look up by id, case- and punctuation-insensitively ("phq9" finds PHQ-9). */
export function getInstrument(id: string): Instrument | undefined {
  const key = normalizeName(id);
  return INSTRUMENTS.find((i) => normalizeName(i.id) === key);
}

/** The instrument a column header names, if any (exact alias match after normalising). */
export function instrumentForHeader(header: string): Instrument | undefined {
  const key = normalizeName(header);
  return INSTRUMENTS.find((i) => i.aliases.includes(key) || normalizeName(i.id) === key);
}

/** The lower-case, punctuation-free column name the simulator and docs use: PHQ-9 -> "phq9". */
export function columnName(inst: Instrument): string {
  return normalizeName(inst.id);
}

// ---- scoring variants ------------------------------------------------------------------

export interface VariantGuess {
  variant: string;
  /** One sentence for a finding: what was seen, what it looks like, how to fix. */
  message: string;
}

/**
 * The scoring variant a column's observed range suggests, or null when the values fit the
 * registered range (or fit no known variant).
 *
 * - Values outside the registered range that all fit a variant's range: that variant
 *   (e.g. K10 values 0-38 -> "K10 0-40 (US scoring)"; WAI-SR values up to 84 -> 7-point).
 * - Values inside the registered range can still be a much narrower variant: when a
 *   variant's maximum is at most half the registered maximum and every value fits it
 *   (e.g. CORE-OM values all <= 4 -> mean-item scoring). Variants that differ less
 *   (WAI 12-60 vs 12-84) cannot be told apart from values that fit both: null.
 */
export function detectVariant(inst: Instrument, observedMin: number, observedMax: number): VariantGuess | null {
  if (!Number.isFinite(observedMin) || !Number.isFinite(observedMax) || observedMin > observedMax) return null;
  const [lo, hi] = inst.range.value;
  const fits = (r: [number, number]) => observedMin >= r[0] && observedMax <= r[1];
  const seen = `values ${fmt(observedMin)}-${fmt(observedMax)}`;
  const variants = inst.variants ?? [];
  if (!fits([lo, hi])) {
    // Prefer the narrowest variant that holds every value.
    const cands = variants.filter((v) => fits(v.range)).sort((a, b) => span(a.range) - span(b.range));
    const v = cands[0];
    if (!v) return null;
    return {
      variant: v.name,
      message: `${inst.id} ${seen} fall outside ${lo}-${hi} but fit ${v.name} (${v.range[0]}-${v.range[1]}): ${v.note}`,
    };
  }
  const narrow = variants.filter((v) => v.range[1] * 2 <= hi && fits(v.range) && observedMax > v.range[0]).sort((a, b) => span(a.range) - span(b.range));
  const v = narrow[0];
  if (!v) return null;
  return {
    variant: v.name,
    message: `${inst.id} ${seen} all fit ${v.name} (${v.range[0]}-${v.range[1]}), far below the ${lo}-${hi} scale: ${v.note}`,
  };
}

function span(r: [number, number]): number {
  return r[1] - r[0];
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000);
}

// ---- overrides from config files -------------------------------------------------------

export interface OverrideProblem {
  /** Instrument id as written in the config. */
  id: string;
  /** The offending field, or null when the id itself is the problem. */
  field: string | null;
  message: string;
}

const CLINICAL_IF = ['<', '<=', '>', '>='] as const;

type FieldCheck = (v: unknown) => string | null;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && isNum(v[0]) && isNum(v[1]) && v[0] < v[1];
const sourcedNumber =
  (what: string): FieldCheck =>
  (v) => {
    if (isNum(v)) return null;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (!isNum(o.value)) return `${what} must be a number or { value: number, source?: string }`;
      if (o.source !== undefined && typeof o.source !== 'string') return `${what}.source must be text`;
      if (o.clinicalIf !== undefined && !CLINICAL_IF.includes(o.clinicalIf as (typeof CLINICAL_IF)[number])) {
        return `${what}.clinicalIf must be one of ${CLINICAL_IF.join(' ')}`;
      }
      const extra = Object.keys(o).filter((k) => !['value', 'source', 'clinicalIf'].includes(k));
      if (extra.length > 0) return `${what} has unknown key(s): ${extra.join(', ')}`;
      return null;
    }
    return `${what} must be a number or { value: number, source?: string }`;
  };

/** The fields a config file may override, and how each is checked. */
export const OVERRIDE_FIELDS: Record<string, FieldCheck> = {
  name: (v) => (typeof v === 'string' && v.length > 0 ? null : 'name must be non-empty text'),
  items: (v) => (isNum(v) && Number.isInteger(v) && v > 0 ? null : 'items must be a positive whole number'),
  itemRange: (v) => (isPair(v) ? null : 'itemRange must be [low, high] with low < high'),
  range: (v) => {
    if (isPair(v)) return null;
    if (v && typeof v === 'object' && !Array.isArray(v) && isPair((v as Record<string, unknown>).value)) return null;
    return 'range must be [low, high] with low < high (or { value: [low, high], source })';
  },
  integer: (v) => (typeof v === 'boolean' ? null : 'integer must be true or false'),
  higherIsBetter: (v) => (typeof v === 'boolean' ? null : 'higherIsBetter must be true or false'),
  cutoff: sourcedNumber('cutoff'),
  clinicalIf: (v) => (CLINICAL_IF.includes(v as (typeof CLINICAL_IF)[number]) ? null : `clinicalIf must be one of ${CLINICAL_IF.join(' ')}`),
  reliableChange: sourcedNumber('reliableChange'),
  allianceDrop: sourcedNumber('allianceDrop'),
  aliases: (v) => (Array.isArray(v) && v.every((a) => typeof a === 'string') ? null : 'aliases must be a list of text'),
  notes: (v) => (typeof v === 'string' ? null : 'notes must be text'),
};

/**
 * Problems with one `instrumentOverrides` entry of a config file: an unknown instrument id,
 * an unknown field (naming the valid ones) or a value of the wrong type. Empty when fine.
 */
export function validateOverride(id: string, fields: unknown): OverrideProblem[] {
  const problems: OverrideProblem[] = [];
  const inst = getInstrument(id);
  if (!inst) {
    problems.push({ id, field: null, message: `unknown instrument '${id}'; valid ids: ${INSTRUMENTS.map((i) => i.id).join(', ')}` });
    return problems;
  }
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
    problems.push({ id, field: null, message: `the overrides for ${inst.id} must be a mapping of field: value` });
    return problems;
  }
  for (const [field, value] of Object.entries(fields as Record<string, unknown>)) {
    const check = Object.hasOwn(OVERRIDE_FIELDS, field) ? OVERRIDE_FIELDS[field] : undefined;
    if (!check) {
      problems.push({ id, field, message: `unknown field '${field}' for ${inst.id}; valid fields: ${Object.keys(OVERRIDE_FIELDS).join(', ')}` });
      continue;
    }
    const msg = check(value);
    if (msg) problems.push({ id, field, message: msg });
  }
  const f = fields as Record<string, unknown>;
  if (f.clinicalIf !== undefined && f.cutoff === undefined && !inst.cutoff) {
    problems.push({ id, field: 'clinicalIf', message: `${inst.id} has no cutoff; give cutoff together with clinicalIf` });
  }
  return problems;
}

const OVERRIDE_SOURCE = 'config override';

/**
 * A copy of `inst` with fields overridden from a config file. Plain numbers for sourced
 * fields become `{ value, source: "config override" }` (a cutoff keeps its clinical side
 * unless `clinicalIf` is given); `range: [lo, hi]` likewise. Unknown fields are the caller's
 * to reject first (`validateOverride` names them); they are ignored here.
 */
export function withOverrides(inst: Instrument, overrides: Partial<Record<string, unknown>> | undefined): Instrument {
  if (!overrides) return inst;
  const out: Instrument = { ...inst };
  const o = overrides as Record<string, unknown>;
  const sourced = (v: unknown): { value: number; source: string } | undefined => {
    if (isNum(v)) return { value: v, source: OVERRIDE_SOURCE };
    if (v && typeof v === 'object' && isNum((v as Record<string, unknown>).value)) {
      const r = v as Record<string, unknown>;
      return { value: r.value as number, source: typeof r.source === 'string' ? r.source : OVERRIDE_SOURCE };
    }
    return undefined;
  };
  if (typeof o.name === 'string') out.name = o.name;
  if (isNum(o.items)) out.items = o.items;
  if (isPair(o.itemRange)) out.itemRange = [o.itemRange[0], o.itemRange[1]];
  if (isPair(o.range)) out.range = { value: [o.range[0], o.range[1]], source: OVERRIDE_SOURCE };
  else if (o.range && typeof o.range === 'object' && isPair((o.range as Record<string, unknown>).value)) {
    const r = o.range as { value: [number, number]; source?: unknown };
    out.range = { value: [r.value[0], r.value[1]], source: typeof r.source === 'string' ? r.source : OVERRIDE_SOURCE };
  }
  if (typeof o.integer === 'boolean') out.integer = o.integer;
  if (typeof o.higherIsBetter === 'boolean') {
    out.higherIsBetter = o.higherIsBetter;
    out.directionSource = OVERRIDE_SOURCE;
  }
  const cut = sourced(o.cutoff);
  const sideRaw = (o.cutoff && typeof o.cutoff === 'object' ? (o.cutoff as Record<string, unknown>).clinicalIf : undefined) ?? o.clinicalIf;
  const side = CLINICAL_IF.includes(sideRaw as (typeof CLINICAL_IF)[number]) ? (sideRaw as (typeof CLINICAL_IF)[number]) : undefined;
  if (cut) {
    out.cutoff = { ...cut, clinicalIf: side ?? inst.cutoff?.clinicalIf ?? (out.higherIsBetter ? '<' : '>=') };
  } else if (side && inst.cutoff) {
    out.cutoff = { ...inst.cutoff, clinicalIf: side, source: `${inst.cutoff.source}; side: ${OVERRIDE_SOURCE}` };
  }
  const rc = sourced(o.reliableChange);
  if (rc) out.reliableChange = rc;
  const drop = sourced(o.allianceDrop);
  if (drop) out.allianceDrop = drop;
  if (Array.isArray(o.aliases)) out.aliases = (o.aliases as unknown[]).filter((a): a is string => typeof a === 'string').map(normalizeName);
  if (typeof o.notes === 'string') out.notes = o.notes;
  return out;
}

/** The instrument ids, comma-separated (for messages). */
export function validInstrumentIds(): string {
  return INSTRUMENTS.map((i) => i.id).join(', ');
}
