/**
 * The section runs of a report: each planned section runs as its command would (check,
 * run, document); gate sections (validate) see every row before the filters and may stop
 * the report; the others run on the filtered data. Sections that run together share their
 * reads of the input (src/dataset/shared-scan.ts), but for those run on a worker thread
 * (./split.ts).
 */
import type { Dataset } from '../../dataset/types.js';
import type { SharedScans } from '../../dataset/shared-scan.js';
import type { DocumentContext, OptionSource, RunContext, Section, Verdict } from '../../sections/section.js';
import type { ResultDocument } from '../model.js';
import type { FailOn } from './config.js';
import type { Elsewhere } from './split.js';

/** Called when a section starts and ends. */
export type ReportProgress = (event: { section: string; index: number; total: number; done: boolean; seconds?: number }) => void;

/** A section the config asks for, with its options (read before any data). */
export interface Planned {
  section: Section;
  opts: unknown;
}

export interface SectionOutput {
  name: string;
  section: Section;
  opts: unknown;
  result: unknown;
  doc: ResultDocument;
  json: unknown;
  /** The data the section ran on (its manuscript names the measures from it). */
  dataset: Dataset;
}

export interface SectionRuns {
  sections: SectionOutput[];
  exitCode: number;
  /** True when a gate stopped the report before analysis (failOn). */
  stopped: boolean;
  /** The last gate's verdict (null: no gate ran). */
  gateVerdict: Verdict | null;
}

/**
 * Runs the planned sections in registry order: gates on `shared.dataset` (every row),
 * the rest on `filtered`. With failOn error or warning the gates run first and may stop
 * the report; otherwise all sections read the input together.
 */
export async function runSections(
  planned: Planned[],
  shared: SharedScans,
  filtered: Dataset,
  src: OptionSource,
  runCtx: RunContext,
  docCtx: DocumentContext,
  failOn: FailOn,
  progress: ReportProgress | undefined,
  elsewhere: Elsewhere | null = null,
): Promise<SectionRuns> {
  const total = planned.length;
  let index = 0;
  const sections: SectionOutput[] = [];
  let exitCode = 0;
  let stopped = false;
  let gateVerdict: Verdict | null = null;
  /**
   * Runs sections together, each as its command would (check, run, then its document once
   * all have run), sharing their reads of the input; progress and results stay in the
   * given order, and the first failure in that order is the one reported.
   */
  const runTogether = async (list: { p: Planned; ds: Dataset }[]): Promise<void> => {
    const first = index;
    list.forEach(({ p }, i) => progress?.({ section: p.section.name, index: first + i + 1, total, done: false }));
    index += list.length;
    const settled = await Promise.allSettled(
      list.map(({ p, ds }) => {
        const { section, opts: o } = p;
        // A section run on the worker thread (./split.ts) takes no part in this thread's reads.
        const away = elsewhere?.results.get(section.name) ?? null;
        const body = async (): Promise<{ result: unknown; seconds: number }> => {
          const t0 = process.hrtime.bigint();
          section.check?.(ds, o, src);
          const result = away ? await away : await section.run(ds, o, runCtx);
          return { result, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
        };
        return away ? body() : shared.join(body);
      }),
    );
    // The documents are made once every run has ended: a section run on the worker may end
    // before this thread's read has counted the input's rows (which documents show).
    for (const [i, r] of settled.entries()) {
      if (r.status === 'rejected') throw r.reason;
      const { p, ds } = list[i];
      const { section, opts: o } = p;
      const { result, seconds } = r.value;
      const doc = section.document(result, ds, o, docCtx);
      progress?.({ section: section.name, index: first + i + 1, total, done: true, seconds });
      sections.push({ name: section.name, section, opts: o, result, doc, json: doc.json, dataset: ds });
    }
  };
  const gates = planned.filter((x) => x.section.gate !== undefined);
  const rest = planned.filter((x) => !x.section.gate).map((p) => ({ p, ds: filtered }));
  // Gates (validation) see every row, before the filters, and may stop the report: with
  // failOn they run first; otherwise nothing can stop the report and all sections read
  // the input together.
  const canStop = failOn === 'error' || failOn === 'warning';
  await runTogether([...gates.map((p) => ({ p, ds: shared.dataset })), ...(canStop ? [] : rest)]);
  for (const [i, p] of gates.entries()) {
    const out = sections[i];
    const v = p.section.gate!(out.result, p.opts);
    gateVerdict = v;
    if (v.fails) exitCode = 1;
    if ((failOn === 'error' && v.errors > 0) || (failOn === 'warning' && v.errors + v.warnings > 0)) {
      exitCode = 1;
      stopped = true;
    }
  }
  if (canStop && !stopped) await runTogether(rest);
  return { sections, exitCode, stopped, gateVerdict };
}
