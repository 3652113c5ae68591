import type { FaultRecord } from '../../measure/types.js';
import { errorMessage } from '../../util/errors.js';
import type { FaultContext, InjectedFault } from '../fault.js';

// The life of an injected network fault once its rules are in: the record (t_fault = start of the rule
// install, the fault is certainly in effect when it returned), a self-heal after `duration`, and a heal()
// that runs once however often it is called (end of run, abort, Ctrl-C, the timer). Same contract as the
// container faults (container-faults.ts); kept separate so that file stays as it is.

export type NetworkMechanism = 'iptables' | 'netem' | 'tcp-proxy';

/** FaultRecord plus what a network fault adds: how it was done and what the probe saw at injection. */
export interface NetworkFaultRecord extends FaultRecord {
  mechanism: NetworkMechanism;
  /** The probe's outcome at injection, in words ("redis-1 → redis-2:6379 blocked (timeout 500 ms), …"). */
  verified: string;
}

export interface Installed {
  injectedAtMs: number;
  injectReturnedAtMs: number;
  mechanism: NetworkMechanism;
  verified: string;
  /** Undo everything the fault installed (rules, proxy, helpers). Safe to call again after it failed. */
  undo(): Promise<void>;
}

/** An installed fault before its probe has spoken. */
export type Undoable = Omit<Installed, 'verified'>;

export function timeBoxed(ctx: FaultContext, fault: { kind: string; target: string; container: string; durationMs: number | undefined }, installed: Installed): InjectedFault {
  const record: NetworkFaultRecord = {
    kind: fault.kind,
    target: fault.target,
    container: fault.container,
    injectedAtMs: installed.injectedAtMs,
    injectReturnedAtMs: installed.injectReturnedAtMs,
    mechanism: installed.mechanism,
    verified: installed.verified,
  };
  ctx.log.info({ fault: fault.kind, container: fault.container, mechanism: installed.mechanism, callMs: +(installed.injectReturnedAtMs - installed.injectedAtMs).toFixed(1), healAfterMs: fault.durationMs }, `fault injected: ${fault.kind}`);

  let healing: Promise<void> | null = null;
  const heal = (why: string): Promise<void> => {
    healing ??= (async () => {
      clearTimeout(timer);
      const startMs = ctx.clock.nowMs();
      await installed.undo();
      record.healedAtMs = startMs;
      ctx.note({ atMs: startMs, source: 'runner', message: `healed ${fault.kind} of ${fault.container} (${why}, ${(ctx.clock.nowMs() - startMs).toFixed(0)} ms)`, marker: 'heal' });
    })().catch((error: unknown) => {
      // A failed heal may be tried again (undo() is safe to repeat): the next heal() starts over.
      healing = null;
      throw error;
    });
    return healing;
  };
  const timer =
    fault.durationMs !== undefined
      ? setTimeout(() => {
          heal(`after ${fault.durationMs} ms`).catch((error) => ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `self-heal of ${fault.kind} (${fault.container}) failed: ${errorMessage(error)}`, marker: 'heal-error' }));
          // +1 ms: Node's timers may fire a fraction of a millisecond early; never heal before `duration`.
        }, Math.max(0, Math.ceil(fault.durationMs - (ctx.clock.nowMs() - installed.injectedAtMs)) + 1))
      : undefined;
  return { record, heal: () => heal('end of run') };
}
