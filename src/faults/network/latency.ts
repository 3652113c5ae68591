import type { FaultStepSpec } from '../../spec/schema.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { FaultContext, FaultPlugin } from '../plugin.js';
import type { RunningContainer } from '../../engine/resources.js';
import { resolveGroup, resolveTarget } from '../resolve-target.js';
import { removeChain } from './chains.js';
import { installChain } from './stamped-install.js';
import { exec, execChecked, sh } from '../../engine/docker-exec.js';
import { acquireHelper, releaseHelper, type Helper } from './helpers.js';
import { hostRoundTrips, hostRoundTripsRetrying, peerRoundTrips, probePayload } from './probes.js';
import { LEDGER_PATH, existingConnectionsFilter, latencyProxyRules, ledgerAdd, newChainName } from './rules.js';
import { PROXY_PATH } from './scripts.js';
import { networkTimeBox, type NetworkMechanism } from './network-record.js';

// latency: what the node sends is held `delay` ± `jitter` (uniform) — on its interface with netem where
// the kernel has it, otherwise in a delaying TCP proxy inside its namespace that incoming connections to
// its service ports are redirected to (the answers it sends are delayed; requests pass at once). Either way
// a request/response round trip with the node takes `delay` longer. Verified by timing round trips from
// the runner through the node's published port (that path enters through the node's eth0 like any peer).

type Step = Extract<FaultStepSpec, { fault: 'latency' }>;

const SAMPLES = 5;
/** setTimeout may fire a little early against performance.now(); the check allows this much. */
const TIMER_SLACK_MS = 2;

/** The shortest round trip the fault allows: every answer is held at least delay − jitter (less the timer's slack). */
const floorMs = (step: Step): number => Math.max(0, step.delayMs - step.jitterMs) - TIMER_SLACK_MS;

let netemCache: boolean | undefined;

/** Does this kernel have netem? Tried once in a helper (add, then delete, a 1 ms qdisc) and remembered. */
async function netemAvailable(ctx: FaultContext, helper: Helper): Promise<boolean> {
  const forced = process.env.DRILL_LATENCY_MECHANISM;
  if (forced === 'tcp-proxy') return false;
  if (forced === 'netem') return true;
  if (netemCache !== undefined) return netemCache;
  const res = await exec(ctx.docker, helper.id, sh(`tc qdisc add dev ${helper.iface} root netem delay 1ms && tc qdisc del dev ${helper.iface} root`));
  if (res.code === 0) netemCache = true;
  else if (/unknown|not supported|No such file/i.test(res.stderr)) netemCache = false;
  else {
    // Not a definite answer (e.g. the interface already has a root qdisc of someone else's): do not touch it.
    ctx.log.warn({ stderr: res.stderr.trim() }, 'netem probe inconclusive: using the TCP proxy');
    return false;
  }
  return netemCache;
}

export const injectLatency: FaultPlugin<'latency'>['inject'] = async (ctx, step: Step) => {
  const node = await resolveTarget(ctx.stack, step.target, Math.random, ctx.layers);
  const servicePorts = Object.keys(node.ports).map(Number);
  const [probePort] = servicePorts;
  if (probePort === undefined) throw new InfraError(`latency on ${node.name}: it publishes no service port to delay and probe`);
  const hostPort = node.ports[probePort]!;
  const payload = probePayload(probePort, node.role);
  // A slow link from some peers only: their connections go through the proxy, everyone else's do not.
  const peers = step.from ? (await resolveGroup(ctx.stack, step.from, ctx.layers)).filter((p) => p.id !== node.id) : null;
  if (peers?.length === 0) throw new InfraError(`latency on ${node.name}: from ${step.from!.join(', ')} resolved to no other node`);
  const helper = await acquireHelper(ctx, node);
  const peerHelpers: Helper[] = [];
  let placed: Placed | undefined;
  try {
    for (const p of peers ?? []) peerHelpers.push(await acquireHelper(ctx, p));
    const link: PeerLink | null = peers ? { helpers: peerHelpers, host: node.ip, port: probePort, payload } : null;
    // Before the fault, for comparison only (a node that does not answer now fails the check below).
    const baseline = await hostRoundTrips(hostPort, payload, 3, 2000).catch(() => [] as number[]);
    // netem delays every packet the node sends; only the proxy can tell one client from another.
    const mechanism: NetworkMechanism = !peers && (await netemAvailable(ctx, helper)) ? 'netem' : 'tcp-proxy';
    placed = mechanism === 'netem' ? await withNetem(ctx, helper, step) : await withProxy(ctx, helper, step, servicePorts, peers?.map((p) => p.ip) ?? null);
    const why = peers ? 'only some clients are delayed' : process.env.DRILL_LATENCY_MECHANISM ? 'DRILL_LATENCY_MECHANISM' : mechanism === 'netem' ? 'the kernel has netem' : 'no netem in this kernel';
    const what =
      mechanism === 'netem'
        ? `every packet ${node.node} sends on ${helper.iface}`
        : `answers from ${node.node}:${servicePorts.join(', ')}${peers ? ` to ${peers.map((p) => p.node).join(', ')} only` : ''}`;
    ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `latency via ${mechanism} (${why}): ${what} held ${step.delayMs} ± ${step.jitterMs} ms` });
    // A replica only listens on its replication connection: it would not notice the old one was cut (no
    // reset reaches it) until its own timeout. It opens a new one, through the slow link.
    for (const p of peers ?? []) {
      const said = ctx.stack.reconnectReplication ? await ctx.stack.reconnectReplication(p) : null;
      if (said) ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `latency on the link to ${node.node}: ${said}` });
    }
    const verified = link ? await verifyLinkLatency(ctx, step, node.node, link, hostPort, baseline) : await verifyLatency(step, node.node, hostPort, probePort, payload, baseline);
    const verifiedAtMs = ctx.clock.nowMs();
    ctx.note({
      atMs: verifiedAtMs,
      source: 'runner',
      message: `latency verified (${mechanism}, in effect from ${(placed.injectReturnedAtMs / 1000).toFixed(3)} s): ${verified}`,
      marker: 'fault-verified',
    });
    await noteReplicationLag(ctx, node, peers, 'with the link in place');
    const inPlace = placed;
    const remove = () => inPlace.remove();
    let released = false;
    const undo = async (): Promise<string> => {
      await noteReplicationLag(ctx, node, peers, 'as the heal began, before the link was removed');
      await remove();
      const proof = link ? await verifyLinkLatencyGone(ctx, step, node.node, link) : await verifyLatencyGone(step, node.node, hostPort, probePort, payload);
      if (!released) {
        released = true;
        await releaseHelper(ctx, helper);
        for (const h of peerHelpers) await releaseHelper(ctx, h);
      }
      return proof;
    };
    return networkTimeBox(ctx, { kind: 'latency', target: `${step.target} +${step.delayMs} ms`, container: node.name, durationMs: step.durationMs }, { ...placed, verified, verifiedAtMs, undo });
  } catch (error) {
    if (placed) ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `latency NOT verified, rolled back: ${errorMessage(error)}`, marker: 'fault-unverified' });
    await (placed ? placed.remove() : Promise.resolve())
      .then(() => releaseHelper(ctx, helper))
      .then(async () => {
        for (const h of peerHelpers) await releaseHelper(ctx, h);
      })
      .catch((e: unknown) => {
        ctx.log.warn({ err: errorMessage(e) }, 'rolling back latency failed');
      });
    throw error;
  }
};

/** On a slow link to some peers: the primary's own view of its standbys' lag, on the timeline (never fails the fault). */
async function noteReplicationLag(ctx: FaultContext, node: RunningContainer, peers: readonly RunningContainer[] | null, when: string): Promise<void> {
  if (!peers || !ctx.stack.replicationLag) return;
  const lag = await ctx.stack.replicationLag(node).catch((error: unknown) => `not read (${errorMessage(error)})`);
  if (lag) ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `replication lag by ${node.node}, ${when}: ${lag}` });
}

/**
 * After the heal: fresh round trips through the same port. One under `delay − jitter` proves new connections
 * no longer go through the delay (with the fault every answer is held at least that long). A node that no
 * longer answers (killed meanwhile) is reported, not failed: there is nothing left to delay.
 */
async function verifyLatencyGone(step: Step, node: string, hostPort: number, probePort: number, payload: string | null): Promise<string> {
  const floor = floorMs(step);
  let samples: number[];
  try {
    samples = await hostRoundTripsRetrying(hostPort, payload, SAMPLES);
  } catch (error) {
    return `${node}:${probePort} does not answer after the heal (${errorMessage(error)}): not probed`;
  }
  const summary = `round trips to ${node}:${probePort} ${samples.map((x) => x.toFixed(1)).join(', ')} ms after the heal`;
  if (floor <= 0) return `${summary} (a delay of ${step.delayMs} ± ${step.jitterMs} ms cannot be told apart: not a proof)`;
  if (Math.min(...samples) >= floor) throw new InfraError(`latency still in effect after its removal: ${summary}: none under ${floor.toFixed(0)} ms`);
  return summary;
}

/** The peers a link latency delays, with helpers in their namespaces to time round trips from there. */
interface PeerLink {
  helpers: Helper[];
  host: string;
  port: number;
  payload: string | null;
}

/**
 * A slow link: round trips from inside each peer's namespace must all be held at least delay − jitter, and
 * the runner's own (through the published port, like any other client of the node) must not: the delay
 * is on that link alone.
 */
async function verifyLinkLatency(ctx: FaultContext, step: Step, node: string, link: PeerLink, hostPort: number, baseline: number[]): Promise<string> {
  const floor = floorMs(step);
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  const parts: string[] = [];
  for (const h of link.helpers) {
    const samples = await peerRoundTrips(ctx.docker, h, link.host, link.port, link.payload, SAMPLES);
    parts.push(`from ${h.target.node} ${fmt(samples)} ms`);
    if (Math.min(...samples) < floor) throw new InfraError(`latency not in effect on the link from ${h.target.node} to ${node}: round trips ${fmt(samples)} ms, one under ${floor.toFixed(0)} ms`);
  }
  const others = await hostRoundTripsRetrying(hostPort, link.payload, SAMPLES);
  if (floor > Math.max(0, ...baseline) && Math.min(...others) >= floor) {
    throw new InfraError(`latency leaked beyond the link: round trips to ${node} from drill (not a peer) ${fmt(others)} ms, none under ${floor.toFixed(0)} ms`);
  }
  return `round trips to ${node}:${link.port} ${parts.join('; ')} (asked +${step.delayMs} ± ${step.jitterMs} ms); from drill, not on the link, ${fmt(others)} ms`;
}

/** After the heal: a round trip from each peer under delay − jitter (a node gone meanwhile is reported, not failed). */
async function verifyLinkLatencyGone(ctx: FaultContext, step: Step, node: string, link: PeerLink): Promise<string> {
  const floor = floorMs(step);
  const parts: string[] = [];
  for (const h of link.helpers) {
    let samples: number[];
    try {
      samples = await peerRoundTrips(ctx.docker, h, link.host, link.port, link.payload, SAMPLES, 5000);
    } catch (error) {
      parts.push(`${node}:${link.port} does not answer ${h.target.node} after the heal (${errorMessage(error)}): not probed`);
      continue;
    }
    const summary = `round trips from ${h.target.node} ${samples.map((x) => x.toFixed(1)).join(', ')} ms after the heal`;
    if (floor > 0 && Math.min(...samples) >= floor) throw new InfraError(`latency still in effect after its removal: ${summary}: none under ${floor.toFixed(0)} ms`);
    parts.push(summary);
  }
  return parts.join('; ');
}

async function verifyLatency(step: Step, node: string, hostPort: number, probePort: number, payload: string | null, baseline: number[]): Promise<string> {
  const samples = await hostRoundTripsRetrying(hostPort, payload, SAMPLES);
  const floor = floorMs(step);
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const weak = floor <= Math.max(0, ...baseline) ? '; a weak check: delay − jitter is within the round trip without the fault' : '';
  const summary = `round trips to ${node}:${probePort} ${fmt(samples)} ms (mean ${mean.toFixed(1)}; before: ${baseline.length ? `${fmt(baseline)} ms` : 'no answer'}; asked +${step.delayMs} ± ${step.jitterMs} ms${weak})`;
  if (Math.min(...samples) < floor) throw new InfraError(`latency not in effect: ${summary}: a round trip under ${floor.toFixed(0)} ms`);
  return summary;
}

async function withNetem(ctx: FaultContext, helper: Helper, step: Step): Promise<Placed> {
  const dev = helper.iface;
  const injectedAtMs = ctx.clock.nowMs();
  const args = `delay ${step.delayMs}ms${step.jitterMs ? ` ${step.jitterMs}ms` : ''}`;
  await execChecked(ctx.docker, helper.id, `netem on ${helper.target.name}`, sh(`${ledgerAdd(`netem ${dev}`)} && tc qdisc add dev ${dev} root netem ${args}`));
  const injectReturnedAtMs = ctx.clock.nowMs();
  let removed = false;
  return {
    injectedAtMs,
    injectReturnedAtMs,
    mechanism: 'netem',
    remove: async () => {
      if (removed) return;
      const res = await exec(
        ctx.docker,
        helper.id,
        sh(
          `tc qdisc del dev ${dev} root 2>&1 | grep -v -e 'handle of zero' -e 'No such file' >&2; tc qdisc show dev ${dev} | grep -q netem && exit 1; sed -i '/^netem ${dev}$/d' ${LEDGER_PATH} 2>/dev/null; exit 0`,
        ),
      ).catch((error: unknown) => {
        if ((error as { statusCode?: number }).statusCode === 404 || (error as { statusCode?: number }).statusCode === 409) return { code: 0, stdout: '', stderr: '' };
        throw error;
      });
      if (res.code !== 0) throw new InfraError(`removing netem from ${helper.target.name}: ${res.stderr.trim()}`);
      removed = true;
    },
  };
}

async function withProxy(ctx: FaultContext, helper: Helper, step: Step, servicePorts: number[], peerIps: string[] | null): Promise<Placed> {
  const target = helper.target;
  const chain = newChainName();
  const files = `/tmp/${chain}`;
  // The node's answers are delayed (delayOut), as netem on its interface would; requests pass at once.
  const config = { routes: servicePorts.map((port) => ({ host: target.ip, port })), delayMs: step.delayMs, jitterMs: step.jitterMs, delayIn: false, delayOut: true, portsFile: `${files}.ports` };
  const started = await execChecked(
    ctx.docker,
    helper.id,
    `delaying proxy in ${target.name}`,
    sh(
      `node ${PROXY_PATH} "$1" </dev/null >${files}.log 2>&1 & echo $! >${files}.pid
for i in $(seq 250); do [ -s ${files}.ports ] && { cat ${files}.ports; exit 0; }; kill -0 $(cat ${files}.pid) 2>/dev/null || break; sleep 0.02; done
cat ${files}.log >&2; exit 1`,
      JSON.stringify(config),
    ),
  );
  const routes = JSON.parse(started.stdout.trim()) as { port: number; listen: number }[];
  const stopProxy = () =>
    exec(ctx.docker, helper.id, sh(`kill $(cat ${files}.pid) 2>/dev/null; rm -f ${files}.*; exit 0`)).then(
      () => undefined,
      () => undefined,
    );

  // Redirect, then reset the connections that existed before (nat does not move them): ss -K where the
  // kernel allows it (sends a reset to the peer at once); the REJECT rules of the chain catch the rest.
  const filter = existingConnectionsFilter(target.ip, servicePorts, peerIps);
  const injectedAtMs = ctx.clock.nowMs();
  let res;
  try {
    const count = `ss -Htn state established '${filter}' | wc -l`;
    res = await installChain(ctx, helper, chain, latencyProxyRules(target.ip, routes, peerIps), `${count}; ss -K -tn state established '${filter}' >/dev/null 2>&1; ${count}`);
  } catch (error) {
    await stopProxy();
    throw error;
  }
  const injectReturnedAtMs = ctx.clock.nowMs();
  const [existing = 0, left = 0] = res.stdout.trim().split('\n').slice(-2).map(Number);
  if (existing > 0) {
    const how = left > 0 ? `${existing - left} reset at once (ss -K), ${left} reset when they next send (no socket destroy in this kernel)` : 'reset at once (ss -K)';
    ctx.note({ atMs: injectReturnedAtMs, source: 'runner', message: `latency on ${target.node}: ${existing} connection(s) from before the fault ${how}; clients reconnect through the proxy` });
  }

  let removed = false;
  return {
    injectedAtMs,
    injectReturnedAtMs,
    mechanism: 'tcp-proxy',
    remove: async () => {
      if (removed) return;
      await removeChain(ctx, helper, chain);
      await stopProxy();
      removed = true;
    },
  };
}

/** What withNetem / withProxy put in place, and how to take it out again (the helper stays). */
interface Placed {
  injectedAtMs: number;
  injectReturnedAtMs: number;
  mechanism: NetworkMechanism;
  remove(): Promise<void>;
}
