import type { LbVipLayerSpec } from '../../spec/schema.js';
import type { FaultRecord } from '../../measure/types.js';
import type { LayerCheck, LbExplainRow } from '../result.js';
import type { BackendStateChange, HolderWindow } from './node-events.js';
import { holdersAt, splitBrainWindows, vipMovedAtMs } from './node-events.js';
import { faultFromMs } from '../../measure/fault-instants.js';

// RTO explained by configuration: what the settings predict for each fault, against what the nodes did.
// Pure arithmetic; docs/load-balancers.md has the same formulas in words.

/**
 * VRRPv3 (RFC 5798 §6.1): a backup declares the master down after Master_Down_Interval =
 * 3 × Master_Adver_Interval + Skew_Time, Skew_Time = ((256 − priority) × Master_Adver_Interval) / 256.
 */
export function masterDownIntervalMs(advertIntMs: number, backupPriority: number): number {
  return 3 * advertIntMs + skewMs(advertIntMs, backupPriority);
}

export function skewMs(advertIntMs: number, priority: number): number {
  return ((256 - priority) * advertIntMs) / 256;
}

/** HAProxy's `timeout connect` in config.ts: a check's connect waits min(this, inter) when `timeout check` is set. */
const CONNECT_TIMEOUT_MS = 1000;

/**
 * How long HAProxy takes to mark a dead server down. The next check starts `inter` after the previous one
 * ended, so a failing check costs inter + its own duration: nothing when the connection is refused at once
 * (a dead process on a live host), the connect timeout (min(timeout connect, inter)) when the host is gone
 * (a killed container: no answer at all), the check timeout for the database front door's external check.
 * Low: refused at once, the first check right after the fault. High: every check times out.
 * A slow server (`latency`) accepts and answers late: every failing check waits out `timeout check`, the
 * first one starting up to inter + timeout after the fault.
 */
export function removalBoundsMs(spec: LbVipLayerSpec, faultKind?: string): { lowMs: number; highMs: number } {
  const h = spec.healthCheck;
  if (faultKind === 'latency') return { lowMs: (h.fall - 1) * h.interMs + h.fall * h.timeoutMs, highMs: h.fall * (h.interMs + h.timeoutMs) + h.timeoutMs };
  const checkCostMs = spec.front === 'database' ? h.timeoutMs : Math.min(CONNECT_TIMEOUT_MS, h.interMs);
  return { lowMs: (h.fall - 1) * h.interMs, highMs: h.fall * (h.interMs + checkCostMs) };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

export interface ExplainInput {
  spec: LbVipLayerSpec;
  /** The LB nodes in order (lb-1, lb-2), with the container name a fault record names. */
  lbNodes: readonly { node: string; container: string }[];
  /** App nodes by container name. */
  appNodes: readonly { node: string; container: string }[];
  faults: readonly FaultRecord[];
  windows: readonly HolderWindow[];
  backends: readonly BackendStateChange[];
  /** Client-visible recovery after each fault (run-clock ms), when the writes recovered. */
  recoveredAtMs: (fault: FaultRecord) => number | null;
}

/** One row per fault: the setting that governs it, the time it predicts, and what was measured. */
export function explain(input: ExplainInput): LbExplainRow[] {
  const { spec, lbNodes, appNodes, faults, windows, backends } = input;
  const k = spec.keepalived;
  const h = spec.healthCheck;
  const rows: LbExplainRow[] = [];
  for (const f of faults) {
    const at = faultFromMs(f);
    const lb = lbNodes.find((n) => n.container === f.container);
    const app = appNodes.find((n) => n.container === f.container);
    const recovered = input.recoveredAtMs(f);
    const clientMs = recovered === null ? null : Math.max(0, recovered - at);
    if (lb) {
      const active = holdersAt(windows, at).includes(lb.node);
      const other = lbNodes.find((n) => n.node !== lb.node);
      const otherPriority = k.priorities[lbNodes.indexOf(other ?? lbNodes[0]!)] ?? k.priorities[1];
      const moved = vipMovedAtMs(windows, at);
      const movedMs = moved ? moved.atMs - at : null;
      const down = masterDownIntervalMs(k.advertIntMs, otherPriority);
      const proxyOnly = f.kind === 'kill-process' && f.process !== 'keepalived';
      if (!active) {
        rows.push({
          fault: `${f.kind} ${lb.node}`,
          setting: 'the node did not hold the VIP',
          expected: 'no move, no client effect',
          expectedMs: null,
          vipMovedMs: movedMs,
          clientRtoMs: clientMs,
          detail: movedMs === null ? 'the VIP stayed where it was' : `the VIP moved to ${moved!.node} ${s(movedMs)} after the fault`,
        });
      } else if (proxyOnly && !k.trackProxy) {
        rows.push({
          fault: `${f.kind} ${lb.node}`,
          setting: 'trackProxy: false (no track_script)',
          expected: 'keepalived stays MASTER: the VIP never moves, traffic is black-holed until someone acts',
          expectedMs: null,
          vipMovedMs: movedMs,
          clientRtoMs: clientMs,
          detail: movedMs === null ? `the VIP stayed on ${lb.node} with no proxy behind it` : `the VIP moved to ${moved!.node} after ${s(movedMs)}`,
        });
      } else if (proxyOnly) {
        const high = k.trackIntervalMs * k.trackFall + skewMs(k.advertIntMs, otherPriority) + k.advertIntMs;
        rows.push({
          fault: `${f.kind} ${lb.node}`,
          setting: `track_script every ${s(k.trackIntervalMs)} × fall ${k.trackFall}, then a priority-0 advert (advert_int ${s(k.advertIntMs)})`,
          expected: `up to ${s(high)}: the script's next run (≤ interval × fall), then the backup's skew time`,
          expectedMs: { lowMs: 0, highMs: high },
          vipMovedMs: movedMs,
          clientRtoMs: clientMs,
          detail: movedMs === null ? 'the VIP never moved' : `VIP on ${moved!.node} ${s(movedMs)} after the proxy died`,
        });
      } else if (f.kind === 'stop' || f.kind === 'restart') {
        // SIGTERM: keepalived leaves MASTER with a priority-0 advert, and the backup takes over after its
        // skew time instead of waiting out Master_Down_Interval (RFC 5798 §6.4.3).
        const skew = skewMs(k.advertIntMs, otherPriority);
        rows.push({
          fault: `${f.kind} ${lb.node}`,
          setting: `SIGTERM: keepalived sends a priority-0 advert; backup priority ${otherPriority}, advert_int ${s(k.advertIntMs)}`,
          expected: `≈ ${s(skew)}: the backup's skew time after the priority-0 advert (without it, ${s(down)})`,
          expectedMs: { lowMs: 0, highMs: skew + k.advertIntMs },
          vipMovedMs: movedMs,
          clientRtoMs: clientMs,
          detail: movedMs === null ? 'the VIP never moved' : `VIP on ${moved!.node} ${s(movedMs)} after the fault`,
        });
      } else {
        rows.push({
          fault: `${f.kind} ${lb.node}`,
          setting: `advert_int ${s(k.advertIntMs)}, backup priority ${otherPriority}`,
          expected: `≈ ${s(down)} = 3 × advert_int + skew (${s(skewMs(k.advertIntMs, otherPriority))})`,
          expectedMs: { lowMs: down - k.advertIntMs, highMs: down + k.advertIntMs },
          vipMovedMs: movedMs,
          clientRtoMs: clientMs,
          detail: movedMs === null ? 'the VIP never moved' : `VIP on ${moved!.node} ${s(movedMs)} after the fault`,
        });
      }
    } else if (app) {
      const down = backends.filter((b) => b.server === app.node && !b.up && b.atMs >= at).sort((a, b) => a.atMs - b.atMs)[0];
      const removedMs = down ? down.atMs - at : null;
      // Behind a database front door, the traffic moves when another node passes the writable check (after a promotion).
      const up = backends.filter((b) => b.server !== app.node && b.up && b.atMs >= at).sort((a, b) => a.atMs - b.atMs)[0];
      const moved = up ? `; ${up.lb} put ${up.server} in ${s(up.atMs - at)} after the fault (${up.detail || 'check passed'}, after rise ${h.rise} × inter)` : '';
      const haproxy = spec.proxy === 'haproxy';
      const bounds = removalBoundsMs(spec, f.kind);
      rows.push({
        fault: `${f.kind} ${app.node}`,
        setting: haproxy ? `health check inter ${s(h.interMs)} × fall ${h.fall} (timeout ${s(h.timeoutMs)})` : `passive: max_fails ${h.fall} within fail_timeout ${s(h.interMs)}`,
        expected: haproxy
          ? f.kind === 'latency'
            ? `between ${s(bounds.lowMs)} and ${s(bounds.highMs)}: fall ${h.fall} checks, each waiting out its timeout (${s(h.timeoutMs)}) on the slow instance, inter ${s(h.interMs)} apart`
            : `between ${s(bounds.lowMs)} (refused at once) and ${s(bounds.highMs)} (each failed check waits out its timeout): ≈ fall × (inter + check timeout)`
          : `at the ${h.fall}. failed request (no active checks): a refused request goes to the next instance`,
        expectedMs: haproxy ? bounds : null,
        vipMovedMs: null,
        removedMs,
        clientRtoMs: clientMs,
        detail: (down ? `${down.lb} marked ${app.node} down ${s(removedMs!)} after the fault${down.detail ? ` (${down.detail})` : ''}` : `no proxy marked ${app.node} down`) + moved,
      });
    } else if (f.kind === 'partition') {
      const sb = splitBrainWindows(windows).filter((w) => w.toMs > at);
      const total = sb.reduce((sum, w) => sum + (w.toMs - w.fromMs), 0);
      rows.push({
        fault: `${f.kind} ${f.target}`,
        setting: `advert_int ${s(k.advertIntMs)}: the backup stops hearing adverts`,
        expected: `split brain from ≈ ${s(masterDownIntervalMs(k.advertIntMs, k.priorities[1]))} after the cut until it heals`,
        expectedMs: null,
        vipMovedMs: null,
        splitBrainMs: total,
        clientRtoMs: clientMs,
        detail: sb.length ? `both nodes held the VIP ${sb.length}× for ${s(total)} in all, first from ${s(sb[0]!.fromMs - at)} after the cut` : 'never did both nodes hold the VIP',
      });
    }
  }
  return rows;
}

export interface CheckInput {
  spec: LbVipLayerSpec;
  faults: readonly FaultRecord[];
  windows: readonly HolderWindow[];
}

/** The declared checks: the VIP moved in time after the first fault; split brain at most so long. */
export function lbChecks(input: CheckInput): LayerCheck[] {
  const { spec, faults, windows } = input;
  const checks: LayerCheck[] = [];
  if (spec.vipMovesWithinMs !== undefined) {
    const first = faults[0];
    const at = first ? faultFromMs(first) : null;
    const moved = at === null ? null : vipMovedAtMs(windows, at);
    const ms = moved && at !== null ? moved.atMs - at : null;
    checks.push({
      name: 'vip moves',
      ok: ms !== null && ms <= spec.vipMovesWithinMs,
      declared: `≤ ${s(spec.vipMovesWithinMs)}`,
      measured: ms === null ? 'never moved' : s(ms),
      detail:
        at === null
          ? 'no fault: nothing moves the VIP'
          : moved
            ? `the VIP was on ${moved.node} ${s(ms!)} after ${first!.kind} ${first!.target}`
            : `no other node took the VIP after ${first!.kind} ${first!.target}`,
    });
  }
  if (spec.splitBrainAtMostMs !== undefined) {
    const sb = splitBrainWindows(windows);
    const total = sb.reduce((sum, w) => sum + (w.toMs - w.fromMs), 0);
    checks.push({
      name: 'vip split brain',
      ok: total <= spec.splitBrainAtMostMs,
      declared: `≤ ${s(spec.splitBrainAtMostMs)}`,
      measured: s(total),
      detail: sb.length ? `both nodes held the VIP ${sb.length}×: ${sb.map((w) => `${s(w.fromMs)}–${s(w.toMs)}`).join(', ')} (run clock)` : 'never did both nodes hold the VIP',
    });
  }
  return checks;
}
