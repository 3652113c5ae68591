import type { RecoveryFloor } from '../../measure/recovery-floor.js';
import type { FaultRecord, LogLine, NodeLog } from '../../measure/types.js';
import type { StepSpec } from '../../spec/schema.js';
import { goneByMs, ownStampedMatches } from '../../stacks/floor-evidence.js';

// The front door's recovery floor. Every write (the load's, the probes', the app's pool with a database
// or Redis front) reaches the system through the VIP's holder and its proxy. When the proxy of the node
// holding the VIP is gone (the node killed or destroyed, or the proxy process killed), nothing is served
// until another node has added the VIP to its namespace. keepalived runs under strace in each node
// (config.ts keepalivedLines), and the clock is read at the entry of its own netlink request to add the
// VIP, before the kernel acts on it: no write can be acknowledged before that stamp. The writes sent
// in the handover wait for the new holder's ARP (the host queues them) and are answered together after
// it, so the client's bracket of recovery is as wide as that wait (docs/load-balancers.md).

/** `drill-trace <epoch µs> <request> <address>`: strace's clock at the entry of keepalived's request. */
const ADDR_CALL = /^drill-trace (\d{13,19}) (RTM_NEWADDR|RTM_DELADDR) (\S+)$/;

export interface VipFloorInput {
  logs: readonly NodeLog[];
  faults: readonly FaultRecord[];
  vip: string;
  proxy: 'haproxy' | 'nginx';
  /** The LB nodes' container names. */
  lbContainers: readonly string[];
}

interface AddrCall {
  atMs: number;
  added: boolean;
}

/**
 * A stop is left out: the node's trap lets keepalived hand the VIP over before the proxy ends, so the old
 * holder may still answer after the new one has the VIP. A pause, a partition: the old holder serves again
 * when it ends, whoever holds the VIP.
 */
function takesProxyAway(f: FaultRecord, proxy: string): boolean {
  return !f.condition && removesProxy(f.kind, f.process, proxy);
}

/** kill and destroy take the whole node away; kill-process only when it kills the proxy itself. */
function removesProxy(fault: string, process: string | undefined, proxy: string): boolean {
  return fault === 'kill' || fault === 'destroy' || (fault === 'kill-process' && process === proxy);
}

const LB_TARGETS: ReadonlySet<string> = new Set(['active-lb', 'backup-lb', 'lb-1', 'lb-2']);

/** Whether a step takes an LB node's proxy away for good: only then is keepalived traced for this floor (config.ts). */
export function takesAProxyAway(steps: readonly StepSpec[], proxy: string): boolean {
  return steps.some((s) => s.kind === 'fault' && LB_TARGETS.has(s.target) && removesProxy(s.fault, s.fault === 'kill-process' ? s.process : undefined, proxy));
}

/** The first time another LB node added the VIP after the proxy of the node holding it was taken away. */
export function vipTakeoverFloor(input: VipFloorInput): RecoveryFloor | null {
  const { lbContainers } = input;
  const fault = input.faults.find((f) => lbContainers.includes(f.container) && takesProxyAway(f, input.proxy));
  if (!fault) return null;
  // Writes sent once the old holder's proxy was certainly gone can only be answered elsewhere.
  const sinceMs = goneByMs(fault);
  if (sinceMs === null) return null;
  const calls = vipCalls(input.logs, lbContainers, input.vip);
  if (!calls) return null;
  const holdsAt = (container: string, atMs: number) => holds(calls, container, atMs);
  // The faulted node held the VIP alone: every write went through its proxy.
  if (!holdsAt(fault.container, fault.injectedAtMs)) return null;
  if (lbContainers.some((c) => c !== fault.container && holdsAt(c, sinceMs))) return null;
  let first: { atMs: number; container: string } | null = null;
  for (const container of lbContainers) {
    if (container === fault.container) continue;
    const added = calls.get(container)!.find((c) => c.added && c.atMs > sinceMs);
    if (added && (!first || added.atMs < first.atMs)) first = { atMs: added.atMs, container };
  }
  if (!first) return null;
  // The faulted node started again (a heal, a later step on it) before the floor may have served meanwhile.
  if (fault.healedAtMs !== undefined && fault.healedAtMs < first.atMs) return null;
  if (input.faults.some((f) => f !== fault && f.container === fault.container && f.injectedAtMs < first.atMs)) return null;
  const node = input.logs.find((l) => l.container === first.container)?.node ?? first.container;
  return { atMs: first.atMs, sinceMs, why: `${node}'s keepalived asked the kernel to add the VIP ${input.vip} (strace)` };
}

/** Each LB node's own requests to add or remove the VIP; null when a node has none (no strace in its image, an unreadable log): whether it held the VIP is unknown. */
function vipCalls(logs: readonly NodeLog[], lbContainers: readonly string[], vip: string): Map<string, AddrCall[]> | null {
  const calls = new Map<string, AddrCall[]>();
  for (const container of lbContainers) {
    const log = logs.find((l) => l.container === container);
    const own = log ? addrCalls(log.lines, vip) : null;
    if (!own) return null;
    calls.set(container, own);
  }
  return calls;
}

function holds(calls: ReadonlyMap<string, readonly AddrCall[]>, container: string, atMs: number): boolean {
  return (
    calls
      .get(container)
      ?.filter((c) => c.atMs <= atMs)
      .at(-1)?.added === true
  );
}

/** The one LB node that held the VIP, alone, from fromMs to toMs (no node asked to add or remove it between); null when not one. */
export function soleVipHolder(logs: readonly NodeLog[], lbContainers: readonly string[], vip: string, fromMs: number, toMs: number): string | null {
  const calls = vipCalls(logs, lbContainers, vip);
  if (!calls) return null;
  const holders = lbContainers.filter((c) => holds(calls, c, fromMs));
  if (holders.length !== 1) return null;
  return [...calls.values()].some((own) => own.some((c) => c.atMs > fromMs && c.atMs <= toMs)) ? null : holders[0]!;
}

/** The node's own requests to add or remove the VIP, on the run clock; null when a stamp cannot be placed on it. */
function addrCalls(lines: readonly LogLine[], vip: string): AddrCall[] | null {
  const out = ownStampedMatches(
    lines,
    ADDR_CALL,
    (m) => m[3] === vip,
    (atMs, m) => ({ atMs, added: m[2] === 'RTM_NEWADDR' }),
  );
  return out && out.length > 0 ? out : null;
}
