/**
 * The heap guard: a run whose data outgrows Node.js's heap ends in one line and exit 71
 * (as BSD's EX_OSERR), not in V8's fatal "heap out of memory" abort with its native stack.
 *
 * Memory grows with clients, not rows (README, Performance): the readers call `checkHeap`
 * once per chunk of input (about 1 MiB), where the per-client state grows. A check reads
 * V8's heap statistics (about a microsecond). Only when the used heap passes FILL of the
 * limit is a full garbage collection run (the `gc` function V8 exposes under --expose-gc,
 * enabled here on first need) and the heap measured again: the run is stopped only when
 * what is still alive after a full collection passes FILL, so garbage never stops a run.
 * A run that would have finished with more than FILL of the heap alive is stopped too: it
 * was one allocation away from V8's abort. So is one whose large objects (arrays of ids,
 * hash tables) could not grow once more in the room left: a JavaScript array grows by a
 * copy half as large again beside itself, so the heap jumps by megabytes between two
 * checks (measured: trend on 2M clients in a 40 MB heap went from 32 to 46 MB live and
 * met V8's abort in 1 run of 10 before this test).
 *
 * A typed array the engine cannot allocate (RangeError "Array buffer allocation failed")
 * is mapped to the same error by `asOutOfMemory`.
 */
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EXIT, UserError, type Location } from '../errors.js';

/** The share of the heap limit still alive after a full collection that stops a run. */
export const FILL = 0.8;

let collect: (() => void) | null | undefined;

function fullCollection(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}

const MB = 1024 * 1024;

/**
 * The young generation's share of V8's heap_size_limit: three semi-spaces (two and the
 * new large-object space), 16 MB each unless --max-semi-space-size says otherwise. V8
 * aborts when the OLD generation passes --max-old-space-size, which is the limit less this.
 */
export function youngReserve(flags: string): number {
  const m = /--max[-_]semi[-_]space[-_]size[= ](\d+)/.exec(flags);
  return 3 * (m ? Number(m[1]) : 16) * MB;
}

let reserve: number | undefined;

/**
 * Bytes of the old generation in use, its limit, and what its large objects take (arrays
 * and tables over about 128 KB: a list of client ids, a hash table's slots).
 */
function oldGeneration(): { used: number; limit: number; large: number } {
  reserve ??= youngReserve(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
  let used = 0;
  let large = 0;
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_name === 'new_space' || s.space_name === 'new_large_object_space') continue;
    used += s.space_used_size;
    if (s.space_name === 'large_object_space') large += s.space_used_size;
  }
  return { used, limit: getHeapStatistics().heap_size_limit - reserve, large };
}

/**
 * True when the heap is too full to go on: more than FILL of the limit in use, or too
 * little room left for the next growth of a large object (an array grows by copying
 * itself into one half as large again, both alive until the copy is done: the largest
 * such object is at most all of the large-object space).
 */
export function tooFull(s: { used: number; limit: number; large: number }): boolean {
  return s.used >= FILL * s.limit || s.used + 1.5 * s.large >= s.limit;
}

/** The error a run ends with when the heap is full (the location: where the read was). */
export function outOfMemory(location: Location = {}): UserError {
  const limit = Math.round(oldGeneration().limit / MB);
  return new UserError(`ran out of memory: the data read so far fills the ${limit} MB heap Node.js allows`, {
    location,
    exitCode: EXIT.memory,
    code: 'out-of-memory',
    hint: `Give Node.js a larger heap (NODE_OPTIONS=--max-old-space-size=${2 * limit}, in MB, up to the machine's memory), or split the export (by site or period)`,
  });
}

/** Throws `outOfMemory` when what is alive after a full collection leaves the heap too full (see the header). */
export function checkHeap(location?: () => Location): void {
  if (!tooFull(oldGeneration())) return;
  fullCollection();
  if (!tooFull(oldGeneration())) return;
  throw outOfMemory(location?.());
}

/** `outOfMemory` for an engine's failed buffer allocation, else null. */
export function asOutOfMemory(err: unknown): UserError | null {
  return err instanceof RangeError && /Array buffer allocation failed/.test(err.message) ? outOfMemory() : null;
}
