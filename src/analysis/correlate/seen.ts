/**
 * Which clients an accumulator has merged (a client met again after another client's rows
 * is "scattered": ./accumulate.ts). The overall accumulator keeps one byte per client
 * index; the `--by` groups share one table of 4 bytes per client (GroupCells) instead of a
 * set each: most clients are in one group, so each client's first group is kept in the
 * table and only a client met in several groups has a set of them.
 */
import { grow } from '../../dataset/intern.js';

/** A set of client indices (dense, from 0). */
export interface ClientSet {
  has(c: number): boolean;
  add(c: number): void;
  /** Clients added. */
  readonly size: number;
}

/** One byte per client index. */
export class SeenSet implements ClientSet {
  private bytes = new Uint8Array(1024);
  size = 0;
  has(c: number): boolean {
    return c < this.bytes.length && this.bytes[c] === 1;
  }
  add(c: number): void {
    if (c >= this.bytes.length) this.bytes = grow(this.bytes, c + 1);
    if (this.bytes[c] === 0) this.size++;
    this.bytes[c] = 1;
  }
}

/** The value of `first` for a client in several cells (see `more`). */
const SEVERAL = -1;

/**
 * The merged clients of every `--by` cell: per client index the cell it was first merged in
 * plus one (0: none), or SEVERAL with the set of its cells in `more`. `of(cell)` is the
 * ClientSet of one cell: the same answers as a set of its own, in 4 bytes a client for all
 * cells together (test/analysis/correlate.seen.test.ts).
 */
export class GroupCells {
  private first = new Int32Array(1024);
  private readonly more = new Map<number, Set<number>>();

  of(cell: number): ClientSet {
    return new CellSet(this, cell);
  }

  has(c: number, cell: number): boolean {
    if (c >= this.first.length) return false;
    const f = this.first[c];
    if (f === cell + 1) return true;
    return f === SEVERAL && this.more.get(c)!.has(cell);
  }

  /** Adds client c to a cell; true when it was not in it. */
  add(c: number, cell: number): boolean {
    if (c >= this.first.length) this.first = grow(this.first, c + 1);
    const f = this.first[c];
    if (f === 0) {
      this.first[c] = cell + 1;
      return true;
    }
    if (f === cell + 1) return false;
    if (f === SEVERAL) {
      const set = this.more.get(c)!;
      if (set.has(cell)) return false;
      set.add(cell);
      return true;
    }
    this.first[c] = SEVERAL;
    this.more.set(c, new Set([f - 1, cell]));
    return true;
  }
}

/** The merged clients of one cell of a GroupCells. */
class CellSet implements ClientSet {
  size = 0;
  constructor(
    private readonly cells: GroupCells,
    private readonly cell: number,
  ) {}
  has(c: number): boolean {
    return this.cells.has(c, this.cell);
  }
  add(c: number): void {
    if (this.cells.add(c, this.cell)) this.size++;
  }
}
