/**
 * One read of the input for several analyses (issue 15: `alliance report` reads its input
 * once for all sections). Each analysis keeps calling `dataset.scan(onRow)` as it does
 * alone; `sharedScans` gives a Dataset whose scans wait until every analysis taking part
 * has asked for one (or finished), then runs one scan of the underlying dataset that hands
 * each row to every waiting analysis in turn. An analysis that scans again (correlate's
 * repair pass for scattered clients) waits for the next round, which serves whoever asks.
 *
 * Each analysis sees the rows, raw records and stats it would see alone: the one scan
 * parses the union of the parts of a row the callers `need` (a caller that does not need
 * a part may find it filled in, never blank where it needs it), `onIssue` and `onRaw`
 * reach only the callers that gave them (the round keeps the byte path when every `onRaw`
 * comes with its `onRawRange`), and the Dataset's interned ids are the
 * underlying dataset's (interned in file order, so the same indices). Issues are those
 * of the union of the parts needed: a caller that collects issues reads every part (as
 * validation does), so it gets the issues it gets alone.
 */
import type { Dataset, ScanOptions, ScanStats, SessionRow } from './types.js';

interface Waiting {
  onRow: (row: SessionRow) => void;
  options: ScanOptions;
  resolve: (stats: ScanStats) => void;
  reject: (err: unknown) => void;
}

export interface SharedScans {
  /** The dataset to give the analyses: its scans are served in shared rounds. */
  dataset: Dataset;
  /** Runs `body` as a participant: rounds wait for its scans until it settles. */
  join<T>(body: () => Promise<T>): Promise<T>;
}

/** The union of the callers' `need` (undefined, everything, when any caller needs everything). */
function unionNeed(batch: Waiting[]): ScanOptions['need'] {
  if (batch.some((w) => w.options.need === undefined)) return undefined;
  const any = (k: 'date' | 'therapist' | 'groups') => batch.some((w) => w.options.need![k] !== false);
  const need: ScanOptions['need'] = { date: any('date'), therapist: any('therapist'), groups: any('groups') };
  // Measures: every one when any caller reads all, else those any caller lists.
  if (batch.every((w) => w.options.need!.measures !== undefined)) {
    need.measures = [...new Set(batch.flatMap((w) => w.options.need!.measures!))].sort((a, b) => a - b);
  }
  return need;
}

export function sharedScans(ds: Dataset): SharedScans {
  let active = 0;
  let running = false;
  const waiting: Waiting[] = [];

  const runRound = (batch: Waiting[]): void => {
    running = true;
    const issues = batch.filter((w) => w.options.onIssue);
    const raws = batch.filter((w) => w.options.onRaw);
    const progress = batch.find((w) => w.options.progress)?.options.progress;
    // A caller alone in its round keeps its range reduction (../analysis: workers reduce client runs).
    const reduce = batch.length === 1 ? batch[0].options.reduce : undefined;
    const options: ScanOptions = {
      ...(progress ? { progress } : {}),
      ...(reduce ? { reduce } : {}),
      need: unionNeed(batch),
      onIssue: issues.length === 1 ? issues[0].options.onIssue : issues.length > 1 ? (issue) => issues.forEach((w) => w.options.onIssue!(issue)) : undefined,
      onRaw:
        raws.length === 1
          ? raws[0].options.onRaw
          : raws.length > 1
            ? (fields, line, file) => raws.forEach((w) => w.options.onRaw!(fields, line, file))
            : undefined,
      // The byte path only when every raw hook has its byte-range form.
      onRawRange:
        raws.length === 0 || raws.some((w) => !w.options.onRawRange)
          ? undefined
          : raws.length === 1
            ? raws[0].options.onRawRange
            : (rec, line, file) => raws.forEach((w) => w.options.onRawRange!(rec, line, file)),
    };
    const onRow =
      batch.length === 1
        ? batch[0].onRow
        : (row: SessionRow) => {
            for (let i = 0; i < batch.length; i++) batch[i].onRow(row);
          };
    ds.scan(onRow, options).then(
      (stats) => {
        running = false;
        // Each caller gets its own copy: a caller may add to its stats.
        for (const w of batch) w.resolve(structuredClone(stats));
        maybeStart();
      },
      (err: unknown) => {
        running = false;
        for (const w of batch) w.reject(err);
        maybeStart();
      },
    );
  };

  // A round starts when every participant still running is waiting for a scan (a scan
  // asked for outside any participant is served at once, with whoever is waiting).
  function maybeStart(): void {
    if (running || waiting.length === 0 || waiting.length < active) return;
    runRound(waiting.splice(0));
  }

  const dataset: Dataset = Object.create(ds, {
    scan: {
      value: (onRow: (row: SessionRow) => void, options: ScanOptions = {}): Promise<ScanStats> =>
        new Promise<ScanStats>((resolve, reject) => {
          waiting.push({ onRow, options, resolve, reject });
          // Later in this turn other participants may still ask: start on the next tick.
          queueMicrotask(maybeStart);
        }),
    },
  }) as Dataset;

  return {
    dataset,
    async join<T>(body: () => Promise<T>): Promise<T> {
      active++;
      try {
        return await body();
      } finally {
        active--;
        queueMicrotask(maybeStart);
      }
    },
  };
}
