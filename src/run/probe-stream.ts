import { PROBE_FIRST_ID } from '../load/probe-ids.js';
import { probeSpecOf } from '../load/probe-spec.js';
import { errorMessage } from '../util/errors.js';
import { loadUrlsOf } from './phases/warmup.js';
import type { RunState } from './run-state.js';

// The probe stream (docs/design.md "Probe stream"): a light write load of its own, from just before the
// first fault until writes recover, that finds the edges of the outage more tightly than the declared load
// (measure/probe-edges.ts). Its writes are tracked and read back like every write, and reported apart.
// Whether it runs and at what rate: load/probe-spec.ts.

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
