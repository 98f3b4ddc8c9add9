/**
 * correlate `--by`: the rows of all clients feed the overall accumulator, and each row also
 * feeds the accumulator of its group. A client's run is reduced (computeRun) once and the
 * result merged into both (issue 15: before, each run was buffered and reduced twice).
 *
 * The rows of the current client are buffered here with their group cells. When the client
 * changes (and at the end), the run goes to the overall accumulator (reduced, then merged
 * by Accumulator.addRows, as its own flush would) and to the groups: a run whose rows
 * are all in one group goes to that group's accumulator as one block (its buffer handed
 * over, not copied) with the overall reduction (Accumulator.addBlock holds it until the
 * group's run ends, and reduces the rows itself only if the client's rows come back to the
 * group first); a run whose rows are in
 * several groups, or lack a group, goes to them row by row (Accumulator.add). Each
 * accumulator so sees the same rows in the same order as when every row was added to both
 * at once, and the results are the same bit for bit (test/analysis/correlate-grouped.test.ts).
 */
import { Accumulator, GrowableF64 } from './accumulate.js';
import { RunStats } from './run.js';

/** The cell of a run whose rows are in different cells (or some in none). */
const MIXED = -2;

export class GroupedRuns {
  private readonly W: number;
  private cur = -1;
  /** The cell of every row of the run so far (-1: no group), or MIXED. */
  private cell = -1;
  private count = 0;
  private rows: GrowableF64;
  private cells = new Int32Array(64);
  private readonly run: RunStats;
  private readonly values: Float64Array;

  constructor(
    private readonly overall: Accumulator,
    /** The accumulator of a group cell (>= 0), made when first asked for. */
    private readonly group: (cell: number) => Accumulator,
  ) {
    this.W = 1 + overall.M;
    this.rows = new GrowableF64(8 * this.W);
    this.run = new RunStats(overall.P);
    this.values = new Float64Array(overall.M);
  }

  /** Adds one row; `cell` is its group cell, -1 when it has none. */
  add(client: number, session: number, values: Float64Array, cell: number): void {
    if (client !== this.cur) {
      this.end();
      this.cur = client;
      this.cell = cell;
    } else if (cell !== this.cell) {
      this.cell = MIXED;
    }
    const W = this.W;
    const buf = this.rows;
    buf.ensure(W);
    const d = buf.data;
    let o = buf.length;
    d[o++] = session;
    for (let m = 1; m < W; m++) d[o++] = values[m - 1];
    buf.length = o;
    if (this.count === this.cells.length) {
      const next = new Int32Array(this.count * 2);
      next.set(this.cells);
      this.cells = next;
    }
    this.cells[this.count++] = cell;
  }

  /** Ends the last run and flushes every accumulator; call once after the last row. */
  finish(groups: Iterable<Accumulator | undefined>): void {
    this.end();
    this.cur = -1;
    this.overall.flush();
    for (const g of groups) g?.flush();
  }

  /** Hands the current run to the overall accumulator and the groups. */
  private end(): void {
    const n = this.count;
    if (n === 0) return;
    const { overall, run, cur: client } = this;
    const d = this.rows.data;
    const reduced = overall.addRows(client, d, n, run);
    if (this.cell >= 0) {
      this.rows = this.group(this.cell).addBlock(client, this.rows, n, reduced);
    } else if (this.cell === MIXED) {
      const W = this.W;
      const values = this.values;
      for (let r = 0; r < n; r++) {
        const cell = this.cells[r];
        if (cell < 0) continue;
        for (let m = 0; m < values.length; m++) values[m] = d[r * W + 1 + m];
        this.group(cell).add(client, d[r * W], values);
      }
    }
    this.count = 0;
    this.rows.length = 0;
  }
}
