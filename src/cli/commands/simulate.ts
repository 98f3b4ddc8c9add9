/**
 * `alliance simulate`: seeded synthetic session exports (one row per client session) with a
 * known alliance-outcome structure, for demos, tests and benchmarks. The generative model
 * is documented in docs/simulate.md and summarised in --help.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { progressBar } from '../progress.js';
import { buildCommand, type CommandContext } from '../command.js';
import { yieldEvery, type Io } from '../../io/process.js';
import { list, outPath, type OptionSpec } from '../options.js';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { INSTRUMENTS, getInstrument } from '../../instruments/registry.js';
import type { Instrument } from '../../instruments/types.js';
import { CalibrationError, profileFor, type SessionPlan } from '../../simulate/model.js';
import { generateCsv, parseIsoDate, calibrationFor, type SimulateSpec } from '../../simulate/generate.js';

interface SimulateOptions {
  /** --progress / --no-progress (PROGRESS_OPTIONS); undefined: only on a terminal outside CI. */
  progress?: boolean;
  clients?: string;
  therapists: string;
  sessions: string;
  dropout: string;
  alliance: string;
  outcome: string[];
  between: string;
  within: string;
  lag: string;
  missing: string;
  sites?: string;
  start: string;
  intakeDays: string;
  seed: string;
  rows?: string;
  out?: string;
  force?: boolean;
  therapistAlliance?: string;
  therapistOutcome?: string;
  therapistCorr?: string;
  ruptureRate?: string;
  ruptureDepth?: string;
  repairProb?: string;
}

export const SIMULATE_DEFAULTS = {
  clients: 100,
  therapists: '10',
  sessions: '4-20',
  dropout: '0.08',
  alliance: 'SRS',
  outcome: 'ORS',
  between: '0.3',
  within: '0.2',
  lag: '0.1',
  missing: '0',
  start: '2024-01-08',
  intakeDays: '365',
  seed: '1',
};

const OPTIONS: OptionSpec[] = [
  { flags: '--clients <n>', description: `number of clients (default ${SIMULATE_DEFAULTS.clients}; unlimited with --rows)` },
  { flags: '--therapists <n>', description: 'number of therapists (clients assigned at random)', defaultValue: SIMULATE_DEFAULTS.therapists },
  {
    flags: '--sessions <min-max|mean>',
    description: 'planned sessions per client: uniform MIN-MAX, or a mean (1 + Poisson)',
    defaultValue: SIMULATE_DEFAULTS.sessions,
  },
  { flags: '--dropout <p>', description: 'probability of ending after each session before the planned last one', defaultValue: SIMULATE_DEFAULTS.dropout },
  { flags: '--alliance <id>', description: 'alliance instrument (SRS, WAI-SR, WAI-S, SAI, HAq-II)', defaultValue: SIMULATE_DEFAULTS.alliance },
  {
    flags: '--outcome <ids>',
    description: 'outcome instrument(s), comma-separated (ORS, PHQ-9, GAD-7, OQ-45, CORE-10, CORE-OM, K10, BDI-II; default ORS)',
    parse: list,
  },
  {
    flags: '--between <r>',
    description: 'correlation of client-mean alliance and client-mean outcome (positive = better outcome)',
    defaultValue: SIMULATE_DEFAULTS.between,
  },
  { flags: '--within <r>', description: 'within-client (client-mean-centred) alliance-outcome correlation', defaultValue: SIMULATE_DEFAULTS.within },
  { flags: '--lag <b>', description: 'standardised effect of alliance at session s on outcome at s+1', defaultValue: SIMULATE_DEFAULTS.lag },
  { flags: '--missing <p>', description: 'probability that a score cell is empty', defaultValue: SIMULATE_DEFAULTS.missing },
  { flags: '--sites <n>', description: 'add a site column with N sites (therapists belong to one site)' },
  {
    flags: '--start <date>',
    description: 'first possible session date (ISO YYYY-MM-DD); intakes spread over the following --intake-days',
    defaultValue: SIMULATE_DEFAULTS.start,
  },
  {
    flags: '--intake-days <n>',
    description: 'intakes spread uniformly over N days from --start (e.g. 730 for a two-year export)',
    defaultValue: SIMULATE_DEFAULTS.intakeDays,
  },
  { flags: '--seed <n>', description: 'random seed (non-negative integer); same seed, same bytes', defaultValue: SIMULATE_DEFAULTS.seed },
  { flags: '--rows <n>', description: 'stop after N data rows (for benchmark files)' },
  { flags: '--therapist-alliance <sd>', description: "therapist random effect on the alliance: SD in units of the alliance's between-client SD (default 0)" },
  {
    flags: '--therapist-outcome <sd>',
    description: "therapist random effect on the outcomes: SD in units of each outcome's between-client SD, better direction (default 0)",
  },
  { flags: '--therapist-corr <r>', description: 'correlation of the therapist effects on alliance and outcome (default 0)' },
  { flags: '--rupture-rate <p>', description: 'planted ruptures: probability that a session (from the 2nd) starts one (default 0: none)' },
  { flags: '--rupture-depth <points>', description: "planted ruptures: alliance drop in points (default 3 x the alliance's session-to-session SD)" },
  { flags: '--repair-prob <p>', description: 'planted ruptures: probability that one is repaired at the next session (else it persists; default 0.5)' },
  { flags: '--out <file>', description: 'write to FILE (atomically: temp file + rename) instead of stdout', parse: outPath },
  { flags: '--force', description: 'replace FILE when --out names an existing file' },
];

const MODEL_HELP = `
Model (details: docs/simulate.md). For client i at session s, in instrument points:
  alliance  A = mean + sdB*u_i + sdW*x_is + gain*ln(s)/ln(10), clamped to the range, rounded
  outcome   O = mean +/- (sdB*v_i + sdW*w_is + gain*ln(s)/ln(10))   (sign: better direction)
  corr(u, v) and corr(x, w) are calibrated so that the correlation of client means equals
  --between and the pooled client-mean-centred correlation equals --within (before clamping
  and rounding); w_is also carries --lag * x_i,s-1. Sessions: planned count, then dropout
  after each session with probability --dropout. Dates weekly (+/-2 days, a skipped week
  one time in ten). Columns: client_id, therapist_id, [site], session, date, then one column
  per instrument named by its id in lower case without punctuation (srs, ors, phq9, ...).
  Therapist effects (--therapist-alliance, --therapist-outcome, --therapist-corr) shift all
  sessions of a therapist's clients; planted ruptures (--rupture-rate, --rupture-depth,
  --repair-prob) lower the alliance for one session (repaired) or for good (not repaired).
  Both come from their own random streams: without them the output is unchanged.
  Synthetic data only: pseudonymous ids (C00001, T01, S1), no dates of birth or names.
`;

function num(name: string, raw: string, lo: number, hi: number, opts: { integer?: boolean; loOpen?: boolean; hiOpen?: boolean } = {}): number {
  const x = Number(raw);
  const okLo = opts.loOpen ? x > lo : x >= lo;
  const okHi = opts.hiOpen ? x < hi : x <= hi;
  if (raw.trim() === '' || !Number.isFinite(x) || !okLo || !okHi || (opts.integer && !Number.isInteger(x))) {
    const kind = opts.integer ? 'a whole number' : 'a number';
    const range = `${opts.loOpen ? '>' : '>='} ${lo}${Number.isFinite(hi) ? ` and ${opts.hiOpen ? '<' : '<='} ${hi}` : ''}`;
    throw new UserError(`--${name} must be ${kind} ${range}, got '${raw}'`, { hint: `For example --${name} ${exampleFor(name)}` });
  }
  return x;
}

function exampleFor(name: string): string {
  return (
    (
      {
        clients: '200',
        therapists: '10',
        dropout: '0.1',
        between: '0.3',
        within: '0.2',
        lag: '0.1',
        missing: '0.03',
        sites: '3',
        seed: '42',
        rows: '1000000',
        'therapist-alliance': '0.4',
        'therapist-outcome': '0.3',
        'therapist-corr': '0.5',
        'rupture-rate': '0.1',
        'rupture-depth': '5',
        'repair-prob': '0.6',
      } as Record<string, string>
    )[name] ?? '1'
  );
}

function parseSessions(raw: string): SessionPlan {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(raw);
  if (m) {
    const min = Number(m[1]);
    const max = Number(m[2]);
    if (min >= 1 && max >= min && max <= 1000) return { kind: 'range', min, max };
  } else {
    const mean = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(mean) && mean >= 1 && mean <= 200) return { kind: 'mean', mean };
  }
  throw new UserError(`--sessions must be MIN-MAX (1 <= MIN <= MAX <= 1000) or a mean between 1 and 200, got '${raw}'`, {
    hint: 'For example --sessions 4-20 or --sessions 8',
  });
}

function instrument(raw: string, construct: 'alliance' | 'outcome', flag: string): Instrument {
  const inst = getInstrument(raw);
  const valid = INSTRUMENTS.filter((i) => i.construct === construct).map((i) => i.id);
  if (!inst || inst.construct !== construct) {
    throw new UserError(`${flag} '${raw}' is not ${construct === 'alliance' ? 'an alliance' : 'an outcome'} instrument`, {
      hint: `Valid: ${valid.join(', ')}`,
    });
  }
  return inst;
}

/** Options -> a validated spec (every value checked, so generation cannot fail midway). */
export function specFromOptions(opts: SimulateOptions): SimulateSpec {
  const rows = opts.rows !== undefined ? num('rows', opts.rows, 1, Infinity, { integer: true }) : undefined;
  let clients: number | undefined;
  if (opts.clients !== undefined) clients = num('clients', opts.clients, 1, 1e8, { integer: true });
  else if (rows === undefined) clients = SIMULATE_DEFAULTS.clients;
  const outcomeIds = opts.outcome && opts.outcome.length > 0 ? opts.outcome : [SIMULATE_DEFAULTS.outcome];
  const outcomes = outcomeIds.map((id) => instrument(id, 'outcome', '--outcome'));
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (seen.has(o.id)) throw new UserError(`--outcome names ${o.id} twice`, { hint: 'Give each outcome instrument once' });
    seen.add(o.id);
  }
  const start = parseIsoDate(opts.start);
  if (!Number.isFinite(start)) {
    throw new UserError(`--start must be a date as YYYY-MM-DD, got '${opts.start}'`, { hint: 'For example --start 2024-01-08' });
  }
  return {
    clients,
    therapists: num('therapists', opts.therapists, 1, 100000, { integer: true }),
    sessions: parseSessions(opts.sessions),
    dropout: num('dropout', opts.dropout, 0, 1, { hiOpen: true }),
    alliance: instrument(opts.alliance, 'alliance', '--alliance'),
    outcomes,
    between: num('between', opts.between, -1, 1, { loOpen: true, hiOpen: true }),
    within: num('within', opts.within, -1, 1, { loOpen: true, hiOpen: true }),
    lag: num('lag', opts.lag, -1, 1, { loOpen: true, hiOpen: true }),
    missing: num('missing', opts.missing, 0, 1, { hiOpen: true }),
    sites: opts.sites !== undefined ? num('sites', opts.sites, 1, 1000, { integer: true }) : 0,
    start,
    intakeDays: num('intake-days', opts.intakeDays, 1, 36500, { integer: true }),
    seed: num('seed', opts.seed, 0, Number.MAX_SAFE_INTEGER, { integer: true }),
    rows,
    ...therapistAndRuptures(opts),
  };
}

/** The optional therapist effects and planted ruptures (absent when not asked for). */
function therapistAndRuptures(opts: SimulateOptions): Partial<SimulateSpec> {
  const out: Partial<SimulateSpec> = {};
  if (opts.therapistAlliance !== undefined) out.therapistAlliance = num('therapist-alliance', opts.therapistAlliance, 0, 5);
  if (opts.therapistOutcome !== undefined) out.therapistOutcome = num('therapist-outcome', opts.therapistOutcome, 0, 5);
  if (opts.therapistCorr !== undefined) {
    if (!(out.therapistAlliance && out.therapistOutcome)) {
      throw new UserError('--therapist-corr needs both --therapist-alliance and --therapist-outcome', {
        hint: 'For example --therapist-alliance 0.4 --therapist-outcome 0.3 --therapist-corr 0.5',
      });
    }
    out.therapistCorr = num('therapist-corr', opts.therapistCorr, -1, 1);
  }
  const rate = opts.ruptureRate !== undefined ? num('rupture-rate', opts.ruptureRate, 0, 1, { hiOpen: true }) : 0;
  if (rate === 0 && (opts.ruptureDepth !== undefined || opts.repairProb !== undefined)) {
    throw new UserError('--rupture-depth and --repair-prob need --rupture-rate', {
      hint: 'For example --rupture-rate 0.1 --rupture-depth 5 --repair-prob 0.6',
    });
  }
  if (rate > 0) {
    const alliance = instrument(opts.alliance, 'alliance', '--alliance');
    const [lo, hi] = alliance.range.value;
    const depth = opts.ruptureDepth !== undefined ? num('rupture-depth', opts.ruptureDepth, 0, hi - lo, { loOpen: true }) : 3 * profileFor(alliance).sdW;
    const repair = opts.repairProb !== undefined ? num('repair-prob', opts.repairProb, 0, 1) : 0.5;
    out.ruptures = { rate, depth, repair };
  }
  return out;
}

/**
 * The CSV chunks with a progress bar on a terminal: the share of --rows written, else of
 * --clients (read from the last client id of each chunk, C000123 = client 123).
 */
function* withProgress(spec: SimulateSpec, io: Io, forced: boolean | undefined): Generator<string, void, undefined> {
  const bar = progressBar(io, 'alliance simulate', undefined, forced);
  let rows = 0;
  try {
    for (const chunk of generateCsv(spec)) {
      if (bar) {
        if (spec.rows !== undefined) {
          for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) rows++;
          bar.update(rows / (spec.rows + 1));
        } else if (spec.clients !== undefined) {
          const at = chunk.lastIndexOf('\nC', chunk.length - 2);
          const id = at >= 0 ? Number(/^\d+/.exec(chunk.slice(at + 2, at + 14))?.[0] ?? NaN) : NaN;
          if (Number.isFinite(id)) bar.update(id / spec.clients);
        }
      }
      yield chunk;
    }
  } finally {
    bar?.end();
  }
}

async function writeStdout(spec: SimulateSpec, io: Io, forced: boolean | undefined): Promise<void> {
  // Writes into a file are synchronous: let a Ctrl-C reach its handler between them.
  const pause = yieldEvery(20);
  for (const chunk of withProgress(spec, io, forced)) {
    if (io.closed?.()) return; // the reader went away (`| head`): stop generating
    if (io.stdout.write(chunk) === false && io.drain) await io.drain();
    else await pause();
  }
}

export function simulateCommand(ctx: CommandContext): Command {
  const cmd = buildCommand<SimulateOptions>(
    {
      name: 'simulate',
      summary: 'write seeded synthetic session data (CSV, one row per client session) with a known alliance-outcome structure',
      options: OPTIONS,
      progress: true,
      examples: [
        'alliance simulate --clients 200 --seed 7 > sessions.csv',
        'alliance simulate --alliance WAI-SR --outcome PHQ-9,GAD-7 --between 0.4 --within 0.2 --out demo.csv',
        'alliance simulate --rows 10000000 --out bench.csv',
        'alliance simulate --therapist-alliance 0.4 --therapist-outcome 0.3 --rupture-rate 0.08 --repair-prob 0.6 --out ruptures.csv',
      ],
      run: async (_args, opts, _cmd, io) => {
        const spec = specFromOptions(opts);
        try {
          calibrationFor(spec);
        } catch (e) {
          if (e instanceof CalibrationError) {
            throw new UserError(e.message, { hint: 'Lower --between/--within/--lag, or allow more sessions per client with --sessions' });
          }
          throw e;
        }
        if (opts.out !== undefined && opts.out !== '-') {
          const target = resolve(io.cwd, opts.out);
          if (!opts.force && existsSync(target))
            throw new UserError('already exists', { location: { file: opts.out }, hint: 'Use --force to replace it, or choose another file name' });
          await writeFileAtomic(target, withProgress(spec, io, opts.progress));
        } else await writeStdout(spec, io, opts.progress);
        return 0;
      },
    },
    ctx,
  );
  cmd.addHelpText('after', MODEL_HELP);
  return cmd;
}
