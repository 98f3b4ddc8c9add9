/**
 * A Section is one analysis as both `alliance <verb>` and `alliance report` run it: its
 * options (flags and the config section of the same name), the columns it needs, the
 * checks the opened data must pass, the run, the ResultDocument, the report's charts,
 * headline figures and references. The command (src/cli/section-command.ts) and the
 * report (src/report/batch/run.ts) call these and nothing else of the analysis, so a new
 * analysis is one folder under src/sections/ registered in src/sections/registry.ts.
 *
 * Options are read in one of two modes, which name them differently in messages:
 * 'command' (flags win over the --config section; "--by ...") and 'report' (the config's
 * section only, with the report's defaults; "trend.by ..." at the key's line).
 */
import { byColumns, type By } from '../names.js';
import type { Config } from '../config/load.js';
import { UserError } from '../errors.js';
import type { KeyPlace } from '../config/keys.js';
import type { Dataset } from '../dataset/types.js';
import type { Io } from '../io/process.js';
import type { ResultDocument } from '../report/model.js';
import type { Chart } from '../report/html/charts.js';
import type { Headline } from '../report/html/page.js';
import type { Manuscript } from '../report/manuscript/model.js';
import type { NameOf } from '../report/labels.js';

/** What the report gives every section (report mode only). */
export interface ReportDefaults {
  /** report.minClients: the suppression threshold a section's own minClients overrides. */
  minClients: number;
  /** report.clientTables: whether per-client and per-row tables may appear. */
  clientTables: boolean;
  /** Where the config's keys stand (nested keys included), for errors at the key's line. */
  at: KeyPlace;
}

/** Where a section's options come from. */
export interface OptionSource {
  mode: 'command' | 'report';
  /** Flag values by commander attribute name ({} in a report). */
  flags: Record<string, unknown>;
  /** Attribute names of the flags given on the command line: they win over the config. */
  explicit: ReadonlySet<string>;
  /** The --config file (the report's config in a report), or null. */
  config: Config | null;
  /** Report mode: the report's defaults and key places. */
  report?: ReportDefaults;
}

/** A column the section reads as a grouping column (e.g. its --by column), and the option that named it. */
export interface GroupNeed {
  column: string;
  /** The option's attribute / config key, e.g. 'by'. */
  option: string;
}

/** The grouping columns a `by` option asks for: one per column it names. */
export function byNeeds(by: By | null | undefined): GroupNeed[] {
  return byColumns(by).map((column) => ({ column, option: 'by' }));
}

/** A command's `--by therapist` needs a therapist column (in a report, checked where the input is opened). */
export function checkByTherapist(dataset: Dataset, by: By | null | undefined): void {
  if (!dataset.mapping.therapist && byColumns(by).some((c) => c.toLowerCase() === 'therapist')) {
    throw new UserError('--by therapist needs a therapist column, and none was found', { hint: 'Name it with --therapist COL' });
  }
}

/** What a run may use besides the data. */
export interface RunContext {
  io: Io;
  /** The time of the run (the report's; `new Date()` for a command). */
  now: Date;
  /** The merged input options (e.g. `today`, `missing` for validate). */
  read: { today?: string; missing?: string[] };
  /** The --config file (the report's config), or null: errors about its keys point into it. */
  config: Config | null;
}

/** What a card needs besides the result: the people's name of a measure column. */
export interface HeadlineContext {
  name: NameOf;
}

/** How a document is built: for a command, or inside a report. */
export interface DocumentContext {
  mode: 'command' | 'report';
  /** The report's filters are active (describe notes what its counts cover). */
  filtered: boolean;
  /** Per-client and per-row tables may appear (always for a command; report.clientTables in a report). */
  clientTables: boolean;
}

/** A gate's verdict: the report stops before the analyses when report.failOn is met. */
export interface Verdict {
  errors: number;
  warnings: number;
  /** The section's own pass/fail (e.g. validate's strict), which makes the report exit 1. */
  fails: boolean;
}

/**
 * One analysis. Method shorthand keeps a `Section<CorrelateOptions, CorrelateReport>`
 * assignable to the registry's `Section` (parameters compare bivariantly).
 */
export interface Section<O = unknown, R = unknown> {
  /** The command verb, the config section key and the report section name. */
  readonly name: string;
  /** Keys of its config section (camelCase; kebab-case is accepted where the reader camelCases). */
  readonly keys: readonly string[];
  /** Run by `alliance report` when report.sections is not given. */
  readonly reportDefault: boolean;
  /** Reads and checks the options (throws UserError naming the flag or the config key). */
  options(src: OptionSource): O;
  /** Columns to read as grouping columns (a --by column). */
  groups?(opts: O): GroupNeed[];
  /** A command's input flags as the input step should see them (model: --group is its own option). */
  inputFlags?(flags: Record<string, unknown>): Record<string, unknown>;
  /** Checks that the opened data can serve the options, before the run. */
  check?(dataset: Dataset, opts: O, src: OptionSource): void;
  run(dataset: Dataset, opts: O, ctx: RunContext): Promise<R>;
  document(result: R, dataset: Dataset, opts: O, ctx: DocumentContext): ResultDocument;
  /**
   * The result as a manuscript: APA results text, APA tables and the methods with references
   * (`--format apa|latex|docx`, and the report's manuscript output).
   */
  manuscript?(result: R, dataset: Dataset, opts: O): Manuscript;
  /**
   * A gate runs in a report on the whole input, before the report's filters, and its
   * verdict can stop the report (report.failOn). validate is the gate.
   */
  gate?(result: R, opts: O): Verdict;
  /**
   * What the section adds to a report's one shared read, in seconds per million rows of the
   * bench file (measured: README Performance), and whether it may run on the report's worker
   * thread (`portable`: its run needs nothing of the main thread and its result is plain
   * data, the same after a copy between threads). The report balances its two threads on
   * these (src/report/batch/split.ts); a section without it stays on the main thread.
   */
  readonly readCost?: { seconds: number; portable: boolean };
  /** The report's HTML section. */
  readonly html: { id: string; heading: string; intro?(result: R, opts: O): string[] };
  /** The report's charts; ids from firstId on. */
  charts?(result: R, firstId: number): Chart[];
  /** Figures for the report's summary (cards): plain sentences, measures by their names. */
  headlines?(result: R, ctx: HeadlineContext): Headline[];
  /** Its headlines open the summary (what data the report covers), before the other sections'. */
  readonly headlinesFirst?: boolean;
  /** The suppression threshold the section applied (for the report's rules box), or null. */
  minClients?(opts: O): number | null;
  /** The options as recorded in manifest.json (default: the options themselves); paths relative to configDir. */
  resolved?(opts: O, configDir: string): unknown;
  /** Primary sources of its methods (cited in the report). */
  readonly references: readonly string[];
  /** The references this run's options use (default: all of `references`): a report cites what it used. */
  referencesFor?(opts: O): readonly string[];
}

/** How an option is named in messages: `--early-session` (command) or `correlate.earlySession` (report). */
export function optionName(section: string, attribute: string, mode: 'command' | 'report'): string {
  return mode === 'command' ? `--${attribute.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}` : `${section}.${attribute}`;
}

/**
 * Where an option's value came from, for messages: '--by' when given as a flag (or not in
 * the config), else 'correlate.by in c.yaml'.
 */
export function optionOrigin(section: string, attribute: string, src: OptionSource): string {
  const fromConfig = !src.explicit.has(attribute) && src.config?.sections[section]?.[attribute] !== undefined;
  return fromConfig && src.mode === 'command' ? `${section}.${attribute} in ${src.config!.path}` : optionName(section, attribute, src.mode);
}
