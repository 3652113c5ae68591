import type { FaultRecord } from '../../measure/types.js';
import type { FaultContext, InjectedFault } from '../plugin.js';
import { timeBox, type HealSeen } from '../time-box.js';

// A network fault once its rules are in: t_fault is the start of the rule install, the effect is in place
// when the install returned (the time box counts from there); the record also says how the fault was made
// and what the probe saw at injection and after the heal. Self-heal and heal() are the shared time box.

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
  /** When the probe at injection confirmed the fault. */
  verifiedAtMs: number;
  /** The rules' own window inside the nodes' namespaces (chains.ts effectWindow), when known. */
  effect?: Pick<FaultRecord, 'effectFromMs' | 'effectByMs' | 'effectEvidence'>;
  /**
   * Undo everything the fault installed (rules, proxy), prove with the probe of the injection that it is gone
   * (its words are returned, with the removal's own stamps when it has them), then remove the helpers. Safe
   * to call again after it failed.
   */
  undo(): Promise<string | HealSeen>;
}

/** The shared time box (../time-box.ts), with what a network fault adds to its record. */
export function networkTimeBox(
  ctx: FaultContext,
  fault: { kind: string; target: string; container: string; groups?: string[][]; durationMs: number | undefined },
  installed: Installed,
): InjectedFault {
  const { mechanism, verified, verifiedAtMs, injectedAtMs, injectReturnedAtMs } = installed;
  const { groups, ...named } = fault;
  return timeBox(ctx, named, { injectedAtMs, injectReturnedAtMs, undo: () => installed.undo(), details: { mechanism, verified, verifiedAtMs, ...installed.effect, ...(groups ? { groups } : {}) } });
}
