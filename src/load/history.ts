// The per-write history, Jepsen-style: every write is invoked once and completes once.
// All times are milliseconds on the run clock (see util/clock.ts): monotonic, sub-ms precision,
// 0 = the end of warm-up (the moment a step `at: 0s` would fire).

/** ok: the app acknowledged after the database did. fail: definitely not applied. unknown: may or may not be. */
export type WriteOutcome = 'ok' | 'fail' | 'unknown';

export interface WriteRecord {
  /** Unique, increasing id of the write (the value stored in the database). */
  id: number;
  /** When the open-loop schedule wanted this write sent. */
  scheduledMs: number;
  /** When the request was handed to the socket (the Jepsen "invoke"). */
  invokeMs: number;
  /** When the outcome became known (response, error or timeout). */
  completeMs: number;
  outcome: WriteOutcome;
  /** Short reason for fail/unknown: "http 503 READONLY", "ECONNREFUSED", "timeout", ... */
  error?: string;
}
