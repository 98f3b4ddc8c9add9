/**
 * `alliance correlate`: the alliance-outcome correlation report.
 *
 * For every alliance x outcome pair: pooled (Pearson, optionally Spearman), between
 * (Pearson of client means), within (rmcorr), early (partial, semi-partial and zero-order
 * r of early alliance with final outcome, controlling intake) and lagged (fixed-effects
 * regressions across consecutive sessions, both directions). One streaming pass over the
 * dataset (a second one only for clients whose rows are not in session order).
 */
import type { Dataset, MeasureBinding, ScanStats } from '../../dataset/types.js';
import { UserError } from '../../errors.js';
import { byLabel } from '../../names.js';
import { compareCells, groupKey } from '../by-column.js';
import { Accumulator, type AccumulatorConfig, type PairSpec } from './accumulate.js';
import { GroupedRuns } from './grouped.js';
import { ScatterRepair } from './scatter.js';
import { GroupCells } from './seen.js';
import { correlateReduction } from './range.js';
import { computeGroup } from './compute.js';
import { bh, holm } from '../../stats/adjust.js';
import { Random } from '../../stats/random.js';
import {
  DEFAULT_OPTIONS,
  type CorrelateOptions,
  type CorrelateReport,
  type CorrelateResult,
  type LeftOut,
  type PairInfo,
  type SuppressedGroup,
  type Warning,
} from './types.js';

export * from './types.js';

/** Orientation of a pair: +1 when higher alliance with higher outcome is favourable. */
export function orientation(alliance: MeasureBinding, outcome: MeasureBinding): 1 | -1 | null {
  if (!outcome.instrument) return null;
  const a = alliance.instrument ? (alliance.instrument.higherIsBetter ? 1 : -1) : 1;
  const o = outcome.instrument.higherIsBetter ? 1 : -1;
  return (a * o) as 1 | -1;
}

interface GroupSlot {
  level: number;
  stats: Accumulator;
}

export async function runCorrelate(ds: Dataset, options: Partial<CorrelateOptions> = {}): Promise<CorrelateReport> {
  const opts: CorrelateOptions = { ...DEFAULT_OPTIONS, ...options };
  const measures = ds.mapping.measures;
  const alliance = measures.map((m, i) => ({ m, i })).filter((x) => x.m.role === 'alliance');
  const outcome = measures.map((m, i) => ({ m, i })).filter((x) => x.m.role === 'outcome');
  if (alliance.length === 0 || outcome.length === 0) {
    throw new UserError(`no ${alliance.length === 0 ? 'alliance' : 'outcome'} column found`, {
      location: { file: ds.files[0]?.display },
      hint: 'Name the columns with --alliance COL and --outcome COL',
    });
  }
  const pairs: PairSpec[] = [];
  const info: PairInfo[] = [];
  for (const a of alliance) {
    for (const o of outcome) {
      pairs.push({ alliance: a.i, outcome: o.i });
      info.push({ alliance: a.m.name, outcome: o.m.name, orientation: orientation(a.m, o.m) });
    }
  }
  const want = new Set(opts.analyses);
  const cfg: AccumulatorConfig = {
    measures: measures.length,
    pairs,
    early: want.has('early') ? opts.early : null,
    lagged: want.has('lagged'),
    keepPooledValues: want.has('pooled') && opts.method !== 'pearson',
    keepClients: opts.bootstrap > 0,
  };

  const overall = new Accumulator(cfg);
  const reader = groupKey(ds, opts.by);
  const slots: GroupSlot[] = [];
  let missingGroup = 0;
  const merged = new GroupCells();
  const slotFor = (level: number): GroupSlot => {
    let s = slots[level];
    if (!s) {
      s = { level, stats: new Accumulator(cfg, merged.of(level)) };
      slots[level] = s;
    }
    return s;
  };

  // Only client, session and the measures are read (and the --by column): no dates.
  const need = { need: { date: false, therapist: reader !== null, groups: reader !== null } };
  // Without --by the read's workers reduce the client runs (./range.ts); with it, each run
  // is reduced once for all rows and its group (./grouped.ts).
  const grouped = reader ? new GroupedRuns(overall, (level) => slotFor(level).stats) : null;
  const reduce = reader === null ? { reduce: correlateReduction(overall) } : {};
  const scanned = await ds.scan(
    grouped && reader
      ? (row) => {
          const level = reader.read(row);
          if (level < 0) missingGroup++;
          grouped.add(row.client, row.session, row.values, level);
        }
      : (row) => overall.add(row.client, row.session, row.values),
    { ...need, ...reduce },
  );
  if (grouped) grouped.finish(slots.map((s) => s?.stats));
  else overall.flush();

  // Clients whose rows are not contiguous: one more scan, for them only.
  const warnings: Warning[] = [];
  const accs = [overall, ...slots.filter((s) => s).map((s) => s.stats)];
  if (accs.some((a) => a.scatteredCount > 0)) {
    // Clients are matched by id text, not index: an index is only guaranteed within one scan.
    const repairs = accs.map((a) => {
      const m = new Map<string, number>();
      for (const c of a.scattered) m.set(ds.clients[c], c);
      return a.scatteredCount > 0 ? new ScatterRepair(a, m) : null;
    });
    const rOverall = repairs[0];
    const firstLevels = reader ? reader.levels().slice() : [];
    const levelByName = new Map(firstLevels.map((name, i) => [name, i]));
    const repairOfLevel = new Map<number, ScatterRepair>();
    let k = 1;
    slots.forEach((s, level) => {
      if (!s) return;
      const r = repairs[k++];
      if (r) repairOfLevel.set(level, r);
    });
    await ds.scan((row) => {
      const id = ds.clients[row.client];
      rOverall?.add(id, row.session, row.values);
      if (reader && repairOfLevel.size > 0) {
        const li = reader.read(row);
        if (li < 0) return;
        const level = levelByName.get(reader.levels()[li]) ?? -1;
        repairOfLevel.get(level)?.add(id, row.session, row.values);
      }
    }, need);
    for (const r of repairs) r?.finish();
    warnings.push({
      code: 'scattered',
      group: null,
      alliance: null,
      outcome: null,
      message: `${overall.scatteredCount} client(s) have rows that are not together in the input; their rows were collected in a second pass (sort exports by client for one pass)`,
    });
  }
  if (cfg.lagged && overall.disorderedCount > 0) {
    warnings.push({
      code: 'disordered',
      group: null,
      alliance: null,
      outcome: null,
      message: `${overall.disorderedCount} client(s) have rows out of session order or repeated session numbers; lagged pairs use their rows sorted by session (the first row wins for a repeated session)`,
    });
  }

  const rng = opts.bootstrap > 0 ? new Random(opts.seed) : null;
  const clientId = (c: number): string => ds.clients[c];
  const results: CorrelateResult[] = computeGroup(overall, { group: null, pairs: info, opts, rng, clientId });
  const suppressed: SuppressedGroup[] = [];
  const groups: { group: string; clients: number; rows: number }[] = [];
  if (reader) {
    const names = reader.levels();
    const nested = reader.columns.length > 1;
    const order = slots
      .map((s, i): { s: GroupSlot | null; name: string; values: string[] } => ({ s, name: names[i] ?? String(i), values: reader.values(i) }))
      .filter((x) => x.s)
      .sort((a, b) => compareCells(a.values, b.values));
    // Each group's accumulator is let go once its counts and results are taken: with many
    // groups they are most of the memory (README "Performance", bytes per group).
    slots.length = 0;
    for (const entry of order) {
      const stats = entry.s!.stats;
      entry.s = null;
      const { name, values } = entry;
      const nClients = stats.clients;
      const levels = nested ? { levels: values } : {};
      groups.push({ group: name, ...levels, clients: nClients, rows: stats.rows });
      if (nClients < opts.minClients) {
        suppressed.push({ group: name, ...levels, clients: nClients, reason: `fewer than ${opts.minClients} clients (--min-clients)` });
        continue;
      }
      results.push(...computeGroup(stats, { group: name, pairs: info, opts, rng, clientId }));
    }
    if (missingGroup > 0) {
      const nestedBy = reader.columns.length > 1;
      warnings.push({
        code: 'missing-group',
        group: null,
        alliance: null,
        outcome: null,
        message: `${missingGroup} row(s) have no value in the --by column${nestedBy ? 's' : ''} "${byLabel(opts.by)}"; they count in the overall results only`,
      });
    }
  }

  // Simpson's paradox: between and within of opposite signs. The within result of each
  // (group, pair) is looked up in a Map (a search of the results per group was quadratic in
  // the groups: 20,000 therapists took minutes).
  const pairKey = (r: CorrelateResult): string => `${r.group === null ? '\u0001' : `g${r.group}`}\u0000${r.alliance}\u0000${r.outcome}`;
  const withinOf = new Map<string, CorrelateResult>();
  for (const x of results) if (x.analysis === 'within' && !withinOf.has(pairKey(x))) withinOf.set(pairKey(x), x);
  for (const r of results) {
    if (r.analysis !== 'between' || !r.estimable || r.r === null) continue;
    const w = withinOf.get(pairKey(r));
    if (w && w.estimable && w.r !== null && w.r * r.r < 0) {
      warnings.push({
        code: 'simpson',
        group: r.group,
        alliance: r.alliance,
        outcome: r.outcome,
        message: `Simpson's paradox: between-client r = ${fmt(r.r)} and within-client r = ${fmt(w.r)} have opposite signs for ${r.alliance} x ${r.outcome}${r.group === null ? '' : ` (${byLabel(opts.by)} = ${r.group})`}; the pooled r mixes the two and answers neither question`,
      });
    }
  }
  if (want.has('lagged') && results.some((r) => r.analysis === 'lagged' && r.estimable)) {
    warnings.push({
      code: 'nickell',
      group: null,
      alliance: null,
      outcome: null,
      message:
        'Lagged fixed-effects estimates that include the lagged dependent variable are biased when clients have few sessions (Nickell 1981, bias of order 1/T); read their direction, not their size',
    });
  }
  for (const p of info) {
    if (p.orientation === null) {
      warnings.push({
        code: 'orientation',
        group: null,
        alliance: p.alliance,
        outcome: p.outcome,
        message: `${p.outcome} has no instrument, so whether a positive r is favourable is unknown; bind one with --instrument ${p.outcome}=ID`,
      });
    }
  }

  // A group that holds every row repeats the overall results: the same tests, not new ones.
  const repeats = new Set(groups.filter((g) => g.rows === overall.rows).map((g) => g.group));
  const adjusted = adjustP(results, opts.adjust, repeats);
  return {
    // `by` as the other commands give it: the column name(s) as in the header (docs/report.md).
    options: { ...opts, by: reader ? reader.by : null },
    results,
    warnings,
    suppressed,
    groups,
    data: { rows: overall.rows, clients: overall.clients, left_out: leftOut(scanned, measures) },
    adjusted,
  };
}

/**
 * Adjusts p over the family of distinct tests in the report (every estimable result with a
 * p) and returns the family's size. The results of a group in `repeats` (a `--by` level that
 * holds every row) repeat the overall results: they are not counted again and take the
 * adjusted p of the overall result they repeat (docs/correlate.md, "Adjusted p").
 */
export function adjustP(results: CorrelateResult[], method: CorrelateOptions['adjust'], repeats: ReadonlySet<string> = new Set()): number {
  const tested = (r: CorrelateResult) => r.estimable && r.p !== null;
  const key = (r: CorrelateResult) => [r.analysis, r.method, r.alliance, r.outcome, r.direction ?? ''].join('\u0000');
  const overall = new Map(results.filter((r) => r.group === null && tested(r)).map((r) => [key(r), r]));
  const repeated = (r: CorrelateResult) => r.group !== null && repeats.has(r.group) && overall.has(key(r));
  const family = results.filter((r) => tested(r) && !repeated(r));
  const ps = family.map((r) => r.p as number);
  const adj = method === 'holm' ? holm(ps) : method === 'bh' ? bh(ps) : ps;
  family.forEach((r, i) => (r.p_adjusted = adj[i]));
  for (const r of results) if (tested(r) && repeated(r)) r.p_adjusted = overall.get(key(r))!.p_adjusted;
  return family.length;
}

function leftOut(stats: ScanStats, measures: readonly MeasureBinding[]): LeftOut {
  return {
    rows_without_client: stats.rowsWithoutClient,
    measures: measures.map((m, j) => ({
      column: m.name,
      missing: stats.missing[j],
      not_numeric: stats.unusable[j] - stats.outOfRange[j] - stats.missingCode[j],
      out_of_range: stats.outOfRange[j],
      missing_code: stats.missingCode[j],
    })),
  };
}

function fmt(r: number): string {
  return r.toFixed(3);
}
