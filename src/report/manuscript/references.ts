/**
 * The works a methods paragraph cites, as APA 7 reference-list entries (journal and volume in
 * italics), each checked against the publisher's record of the DOI; and the in-text form.
 */
import { packageVersion } from '../../version.js';
import type { Text } from './model.js';

export interface Work {
  /** In-text citation, e.g. "Bakdash & Marusich, 2017". */
  cite: string;
  /** The reference-list entry. */
  entry: Text;
}

export const BAKDASH_2017: Work = {
  cite: 'Bakdash & Marusich, 2017',
  entry: [
    'Bakdash, J. Z., & Marusich, L. R. (2017). Repeated measures correlation. ',
    { i: 'Frontiers in Psychology, 8' },
    ', Article 456. https://doi.org/10.3389/fpsyg.2017.00456',
  ],
};

export const JACOBSON_1991: Work = {
  cite: 'Jacobson & Truax, 1991',
  entry: [
    'Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining meaningful change in psychotherapy research. ',
    { i: 'Journal of Consulting and Clinical Psychology, 59' },
    '(1), 12\u201319. https://doi.org/10.1037/0022-006X.59.1.12',
  ],
};

export const BATES_2015: Work = {
  cite: 'Bates et al., 2015',
  entry: [
    'Bates, D., M\u00e4chler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models using lme4. ',
    { i: 'Journal of Statistical Software, 67' },
    '(1), 1\u201348. https://doi.org/10.18637/jss.v067.i01',
  ],
};

export const KUZNETSOVA_2017: Work = {
  cite: 'Kuznetsova et al., 2017',
  entry: [
    'Kuznetsova, A., Brockhoff, P. B., & Christensen, R. H. B. (2017). lmerTest package: Tests in linear mixed effects models. ',
    { i: 'Journal of Statistical Software, 82' },
    '(13), 1\u201326. https://doi.org/10.18637/jss.v082.i13',
  ],
};

export const KENWARD_1997: Work = {
  cite: 'Kenward & Roger, 1997',
  entry: [
    'Kenward, M. G., & Roger, J. H. (1997). Small sample inference for fixed effects from restricted maximum likelihood. ',
    { i: 'Biometrics, 53' },
    '(3), 983\u2013997. https://doi.org/10.2307/2533558',
  ],
};

export const HOLM_1979: Work = {
  cite: 'Holm, 1979',
  entry: ['Holm, S. (1979). A simple sequentially rejective multiple test procedure. ', { i: 'Scandinavian Journal of Statistics, 6' }, '(2), 65\u201370.'],
};

export const BH_1995: Work = {
  cite: 'Benjamini & Hochberg, 1995',
  entry: [
    'Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: A practical and powerful approach to multiple testing. ',
    { i: 'Journal of the Royal Statistical Society: Series B (Methodological), 57' },
    '(1), 289\u2013300. https://doi.org/10.1111/j.2517-6161.1995.tb02031.x',
  ],
};

export const NAKAGAWA_2013: Work = {
  cite: 'Nakagawa & Schielzeth, 2013',
  entry: [
    'Nakagawa, S., & Schielzeth, H. (2013). A general and simple method for obtaining R\u00b2 from generalized linear mixed-effects models. ',
    { i: 'Methods in Ecology and Evolution, 4' },
    '(2), 133\u2013142. https://doi.org/10.1111/j.2041-210x.2012.00261.x',
  ],
};

export const NICKELL_1981: Work = {
  cite: 'Nickell, 1981',
  entry: [
    'Nickell, S. (1981). Biases in dynamic models with fixed effects. ',
    { i: 'Econometrica, 49' },
    '(6), 1417\u20131426. https://doi.org/10.2307/1911408',
  ],
};

export const SELF_1987: Work = {
  cite: 'Self & Liang, 1987',
  entry: [
    'Self, S. G., & Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood estimators and likelihood ratio tests under nonstandard conditions. ',
    { i: 'Journal of the American Statistical Association, 82' },
    '(398), 605\u2013610. https://doi.org/10.1080/01621459.1987.10478472',
  ],
};

export const FLUCKIGER_2018: Work = {
  cite: 'Fl\u00fcckiger et al., 2018',
  entry: [
    'Fl\u00fcckiger, C., Del Re, A. C., Wampold, B. E., & Horvath, A. O. (2018). The alliance in adult psychotherapy: A meta-analytic synthesis. ',
    { i: 'Psychotherapy, 55' },
    '(4), 316\u2013340. https://doi.org/10.1037/pst0000172',
  ],
};

/** The tool itself, with the version that produced the numbers. */
export function software(): Work {
  const v = packageVersion();
  return { cite: `alliance-outcome, Version ${v}`, entry: [{ i: 'alliance-outcome' }, ` (Version ${v}) [Computer software].`] };
}

/** "alliance-outcome (Version x.y.z)" for a methods sentence. */
export function plainSoftware(): string {
  return software()
    .entry.map((r) => (typeof r === 'string' ? r : r.i))
    .join('')
    .replace(/ \[Computer software\]\.$/, '');
}

/** An instrument's source as the registry cites it (its own format, DOI where one exists). */
export function instrumentWork(id: string, source: string): Work {
  return { cite: id, entry: [source] };
}

/** Reference-list order: alphabetical by the entry's text, duplicates once. */
export function referenceList(works: Work[]): Text[] {
  const seen = new Map<string, Text>();
  for (const w of works) {
    const key = w.entry.map((r) => (typeof r === 'string' ? r : r.i)).join('');
    if (!seen.has(key)) seen.set(key, w.entry);
  }
  return [...seen.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en')).map(([, e]) => e);
}
