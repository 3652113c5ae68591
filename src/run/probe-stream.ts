import { PROBE_FIRST_ID } from '../load/probe-ids.js';
import type { DrillSpec } from '../spec/schema.js';
import { errorMessage } from '../util/errors.js';
import { loadUrlsOf } from './phases/warmup.js';
import type { RunState } from './run-state.js';

// The probe stream (docs/design.md "Probe stream"): a light write load of its own, from just before the
// first fault until writes recover, that finds the edges of the outage more tightly than the declared load
// (measure/probe-edges.ts). Its writes are tracked and read back like every write, and reported apart.

export interface ProbeSpec {
  rate: number;
  connections: number;
  timeoutMs: number;
}

export const PROBE_DEFAULTS: ProbeSpec = { rate: 200, connections: 64, timeoutMs: 250 };

/** Started this long before the first fault: its normal latency is known before the outage. */
export const PROBE_LEAD_MS = 500;

/**
 * The drill's probe stream, or null: off unless `load.probe` declares it. Not on by default yet: through the
 * fixture app its writes share the app's database connections with the declared load, and under a loaded
 * host (load average 10-15 on 2 cores) runs with it showed longer MariaDB RTOs and one Redis run whose app
 * never answered again after the failover; until that is understood on a quiet machine it stays opt-in.
 */
export function probeSpecOf(spec: DrillSpec): ProbeSpec | null {
  const declared = spec.load.probe;
  if (declared === undefined || declared === false) return null;
  if (declared === true) return PROBE_DEFAULTS;
  return declared;
}

/** Start the probe stream once (at the first fault); a failure to start is noted, never fatal: the load still measures. */
export async function startProbe(run: RunState): Promise<void> {
  const probe = probeSpecOf(run.spec);
  const stack = run.stack;
  if (!probe || run.probe || !stack) return;
  const load = run.deps.createLoad({ urls: loadUrlsOf(run), ...probe, clock: run.journal.clock, signal: run.signal, firstId: PROBE_FIRST_ID });
  run.probe = load;
  try {
    await load.start();
    run.journal.note('load', `probe stream started: ${probe.rate} writes/s over ${probe.connections} connections, ${probe.timeoutMs} ms timeout`, 'probe-start');
  } catch (error) {
    run.journal.note('load', `probe stream did not start: ${errorMessage(error)}`, 'probe-end');
  }
}

/** Stop it (idempotent) and keep what it recorded. */
export async function stopProbe(run: RunState): Promise<void> {
  const load = run.probe;
  if (!load || run.journal.probe) return;
  await load.stop();
  run.journal.probe = { history: load.history(), stats: load.stats() };
  run.journal.note('load', `probe stream stopped after ${run.journal.probe.stats.sentWrites} writes`, 'probe-end');
}
