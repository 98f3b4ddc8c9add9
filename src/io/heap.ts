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
 * was one allocation away from V8's abort.
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

/** Bytes of the old generation in use, and its limit. */
function oldGeneration(): { used: number; limit: number } {
  reserve ??= youngReserve(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') used += s.space_used_size;
  return { used, limit: getHeapStatistics().heap_size_limit - reserve };
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

/** Throws `outOfMemory` when the live old generation passes FILL of its limit (see the header). */
export function checkHeap(location?: () => Location): void {
  const s = oldGeneration();
  if (s.used < FILL * s.limit) return;
  fullCollection();
  const t = oldGeneration();
  if (t.used < FILL * t.limit) return;
  throw outOfMemory(location?.());
}

/** `outOfMemory` for an engine's failed buffer allocation, else null. */
export function asOutOfMemory(err: unknown): UserError | null {
  return err instanceof RangeError && /Array buffer allocation failed/.test(err.message) ? outOfMemory() : null;
}
