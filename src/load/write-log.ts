// The per-write history, stored compactly: one slot per id in parallel typed arrays (~27 bytes a write,
// outside the V8 heap) instead of one object per write (~100 bytes on the heap). A long drill at a few
// thousand writes/s stays in the low megabytes, and the GC has almost nothing to trace while the load runs.
// Objects (WriteRecord) are built only when asked for: history() at the end, or a live onComplete listener.
//
// Times are stored on an internal monotonic timeline (performance.now() ms) and converted to the run clock
// when read, with one offset for the whole read. This keeps every record of a history on the same origin
// even when the runner moves the origin (RunClock.setOriginNow at the end of warm-up) while writes are in
// flight. See tracked-load.ts.

import type { WriteOutcome, WriteRecord } from './history.js';

const PENDING = 0;
const OK = 1;
const FAIL = 2;
const UNKNOWN = 3;
const OUTCOME_CODE: Record<WriteOutcome, number> = { ok: OK, fail: FAIL, unknown: UNKNOWN };
const OUTCOME_NAME: readonly (WriteOutcome | undefined)[] = [undefined, 'ok', 'fail', 'unknown'];

/** Distinct error strings kept verbatim; beyond this, further new strings share one placeholder. */
const MAX_DISTINCT_ERRORS = 4096;
const MAX_ERROR_CHARS = 200;
const ERRORS_ELIDED = 'error text elided (too many distinct messages)';

export class WriteLog {
  private scheduled: Float64Array;
  private invoked: Float64Array;
  private completed: Float64Array;
  private outcomes: Uint8Array;
  private errorCodes: Uint16Array;
  private readonly errorTexts: string[] = [''];
  private readonly errorIndex = new Map<string, number>();
  private count = 0;
  /** Records already built for ids firstId .. firstId + cache.length − 1 (all complete), at cacheOffsetMs. */
  private cache: WriteRecord[] = [];
  private cacheOffsetMs = Number.NaN;
  ok = 0;
  fail = 0;
  unknown = 0;

  constructor(
    /** Id of the first write; ids are firstId, firstId + 1, ... in send order, with no gaps. */
    readonly firstId = 1,
    initialCapacity = 1024,
  ) {
    if (!Number.isSafeInteger(firstId)) throw new RangeError(`firstId must be a safe integer, got ${firstId}`);
    const cap = Math.max(16, Math.ceil(initialCapacity));
    this.scheduled = new Float64Array(cap);
    this.invoked = new Float64Array(cap);
    this.completed = new Float64Array(cap);
    this.outcomes = new Uint8Array(cap);
    this.errorCodes = new Uint16Array(cap);
  }

  /** Number of writes begun (sent). */
  get size(): number {
    return this.count;
  }

  get inFlight(): number {
    return this.count - this.ok - this.fail - this.unknown;
  }

  /** Record a send; returns the new write's id. Times on the internal timeline. */
  begin(scheduledMs: number, invokeMs: number): number {
    if (this.count === this.outcomes.length) this.grow();
    const i = this.count++;
    this.scheduled[i] = scheduledMs;
    this.invoked[i] = invokeMs;
    return this.firstId + i;
  }

  /** Complete a write. Returns false (and changes nothing) if it was already complete or never begun. */
  complete(id: number, outcome: WriteOutcome, completeMs: number, error?: string): boolean {
    const i = id - this.firstId;
    if (!(i >= 0 && i < this.count) || this.outcomes[i] !== PENDING) return false;
    this.outcomes[i] = OUTCOME_CODE[outcome];
    this.completed[i] = completeMs;
    if (error !== undefined) this.errorCodes[i] = this.intern(error);
    if (outcome === 'ok') this.ok++;
    else if (outcome === 'fail') this.fail++;
    else this.unknown++;
    return true;
  }

  isPending(id: number): boolean {
    const i = id - this.firstId;
    return i >= 0 && i < this.count && this.outcomes[i] === PENDING;
  }

  /** The completed record of `id` (undefined while in flight), times shifted by offsetMs onto the run clock. */
  get(id: number, offsetMs: number): WriteRecord | undefined {
    const i = id - this.firstId;
    if (!(i >= 0 && i < this.count)) return undefined;
    return this.recordAt(i, offsetMs);
  }

  /**
   * All completed records in id order (writes still in flight are left out), in a new array. Incremental:
   * the records below the oldest write still in flight are built once and shared by later calls (so a
   * runner polling the history pays for the new records only); a different offsetMs rebuilds them.
   * The record objects are shared: treat them as read-only.
   */
  records(offsetMs: number): WriteRecord[] {
    if (offsetMs !== this.cacheOffsetMs) {
      this.cache = [];
      this.cacheOffsetMs = offsetMs;
    }
    const cache = this.cache;
    while (cache.length < this.count) {
      const r = this.recordAt(cache.length, offsetMs);
      if (!r) break;
      cache.push(r);
    }
    const out = cache.slice();
    for (let i = cache.length + 1; i < this.count; i++) {
      const r = this.recordAt(i, offsetMs);
      if (r) out.push(r);
    }
    return out;
  }

  private recordAt(i: number, offsetMs: number): WriteRecord | undefined {
    const outcome = OUTCOME_NAME[this.outcomes[i] ?? PENDING];
    if (outcome === undefined) return undefined;
    const record: WriteRecord = {
      id: this.firstId + i,
      scheduledMs: (this.scheduled[i] ?? 0) + offsetMs,
      invokeMs: (this.invoked[i] ?? 0) + offsetMs,
      completeMs: (this.completed[i] ?? 0) + offsetMs,
      outcome,
    };
    const code = this.errorCodes[i] ?? 0;
    if (code !== 0) record.error = this.errorTexts[code];
    return record;
  }

  private intern(error: string): number {
    const text = error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error;
    const known = this.errorIndex.get(text);
    if (known !== undefined) return known;
    // The last code is kept for the placeholder, so it always fits.
    if (this.errorTexts.length >= MAX_DISTINCT_ERRORS - 1 && text !== ERRORS_ELIDED) return this.intern(ERRORS_ELIDED);
    const code = this.errorTexts.length;
    this.errorTexts.push(text);
    this.errorIndex.set(text, code);
    return code;
  }

  private grow(): void {
    const cap = this.outcomes.length * 2;
    this.scheduled = growFloat(this.scheduled, cap);
    this.invoked = growFloat(this.invoked, cap);
    this.completed = growFloat(this.completed, cap);
    const outcomes = new Uint8Array(cap);
    outcomes.set(this.outcomes);
    this.outcomes = outcomes;
    const codes = new Uint16Array(cap);
    codes.set(this.errorCodes);
    this.errorCodes = codes;
  }
}

function growFloat(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
