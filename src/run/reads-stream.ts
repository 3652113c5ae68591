import { createReadLoad } from '../load/read-load.js';
import type { RunState } from './run-state.js';

// The drill's tracked reads (load.reads; docs/reads.md): started with the write load at the start of
// warm-up, stopped with it; their record goes into the journal once.

export function startReads(run: RunState, urls: string[]): void {
  const reads = run.spec.load.reads;
  if (!reads) return;
  // own reads: the newest write this load was told is written, by ack order.
  let latestAcked: number | undefined;
  if (reads.pattern === 'own') {
    run.load!.onComplete((w) => {
      if (w.outcome === 'ok') latestAcked = w.id;
    });
  }
  const load = createReadLoad({ urls, ...reads, clock: run.journal.clock, latestAckedWriteId: () => latestAcked });
  run.reads = load;
  load.start();
  run.log.info({ rate: reads.ratePerSec, from: reads.from, pattern: reads.pattern, keys: reads.keys }, 'reads started');
}

export async function stopReads(run: RunState): Promise<void> {
  if (!run.reads || run.journal.reads) return;
  await run.reads.stop();
  run.journal.reads = { history: run.reads.history(), stats: run.reads.stats() };
}
