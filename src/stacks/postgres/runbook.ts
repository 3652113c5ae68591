import { performance } from 'node:perf_hooks';
import { InfraError, errorMessage } from '../../util/errors.js';
import { abortReason, sleep } from '../../util/wait.js';
import { postAdminPrimary } from '../app-admin.js';
import type { Runbook } from '../stack.js';
import { lsnText, nodeByName, nodeList, probe, probeAll, psql, setPrimary, type PgCluster, type PgNode, type Probe } from './cluster.js';
import { conninfo } from './server-script.js';

// The failover procedure a DBA runs for PostgreSQL streaming replication, as drill steps:
//   promote  pick a standby (the most advanced by received WAL with catch-up, else by replayed WAL, or a
//            named one) and pg_promote() it: it replays the WAL it already received, ends recovery and
//            starts a new timeline (PostgreSQL always replays what it received before it promotes:
//            catchUp false only changes which standby counts as most advanced);
//   repoint  tell the app, and point every other standby at the new primary: primary_conninfo by ALTER
//            SYSTEM and a reload (PostgreSQL 13+ restarts the WAL receiver on a reload), following the
//            new timeline (recovery_target_timeline latest, the default);
//   check    one health query of the current primary (for drill's detector).
// drill does not fence the old primary: if it is still alive and writable, that is the drill's finding.

export const ms = (from: number) => `${(performance.now() - from).toFixed(0)} ms`;

export function createRunbook(c: PgCluster): Runbook {
  return {
    promote: (opts) => promote(c, opts),
    repoint: (opts) => repoint(c, opts),
    checkPrimary: (timeoutMs) => checkPrimary(c, timeoutMs),
  };
}

async function containerState(c: PgCluster, node: PgNode): Promise<string> {
  try {
    return (await c.ctx.docker.getContainer(node.container.id).inspect()).State.Status;
  } catch (error) {
    return `gone (${errorMessage(error)})`;
  }
}

/** The standby to promote: most advanced by WAL (received with catch-up, replayed without), or a node by name. */
async function pickCandidate(c: PgCluster, name: string, catchUp: boolean): Promise<{ chosen: Probe; why: string }> {
  const probes = await probeAll(c);
  if (name !== 'most-advanced') {
    const node = nodeByName(c, name);
    if (!node) throw new InfraError(`cannot promote ${name}: no such node (nodes: ${nodeList(c)})`);
    const p = probes.find((x) => x.node === node)!;
    if (!p.reachable) {
      const state = await containerState(c, node);
      throw new InfraError(state === 'running' ? `cannot promote ${name}: it does not answer (${p.error})` : `cannot promote ${name}: it is not running (container ${state})`);
    }
    if (!p.inRecovery) throw new InfraError(`cannot promote ${name}: it is not a standby (already a primary)`);
    return { chosen: p, why: 'named in the runbook' };
  }
  const standbys = probes.filter((p) => p.reachable && p.inRecovery);
  if (standbys.length === 0) {
    throw new InfraError(`cannot promote: no reachable standby (${probes.map((p) => `${p.node.container.node}: ${p.reachable ? 'not a standby' : 'unreachable'}`).join('; ')})`);
  }
  const key = (p: Probe) => (catchUp ? p.receivedLsn : p.replayedLsn);
  const sorted = [...standbys].sort((a, b) => key(b) - key(a) || b.replayedLsn - a.replayedLsn || c.nodes.indexOf(a.node) - c.nodes.indexOf(b.node));
  const why = `most advanced by WAL (${catchUp ? 'received' : 'replayed'}): ${sorted.map((p) => `${p.node.container.node} ${lsnText(key(p))}`).join(', ')}`;
  return { chosen: sorted[0]!, why };
}

async function promote(c: PgCluster, opts: { candidate: string; catchUp: boolean; timeoutMs: number; signal: AbortSignal }): Promise<{ node: string; detail: string }> {
  const t0 = performance.now();
  const { chosen, why } = await pickCandidate(c, opts.candidate, opts.catchUp);
  const node = chosen.node;
  const name = node.container.node;
  const pickedIn = ms(t0);
  const t1 = performance.now();
  const waitSec = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
  const [row] = await psql(c, node, `SELECT pg_promote(true, ${waitSec})`, opts.timeoutMs + 2000).catch((error: unknown) => {
    if (opts.signal.aborted) throw abortReason(opts.signal);
    throw new InfraError(`promoting ${name} failed: ${errorMessage(error)}`);
  });
  if (row?.[0] !== 't') throw new InfraError(`promoting ${name} failed: pg_promote() did not finish within ${waitSec} s`);
  setPrimary(c, node);
  const after = await probe(c, node);
  c.ctx.log.info({ node: name, lsn: lsnText(after.replayedLsn) }, 'runbook: promoted');
  return {
    node: name,
    detail: `${name} (${why}; picked in ${pickedIn}); received ${lsnText(chosen.receivedLsn)}, replayed ${lsnText(chosen.replayedLsn)}; pg_promote ${ms(t1)}, now at ${lsnText(after.replayedLsn)}`,
  };
}

async function repoint(c: PgCluster, opts: { timeoutMs: number; signal: AbortSignal }): Promise<{ detail: string }> {
  const t0 = performance.now();
  const deadline = Date.now() + opts.timeoutMs;
  const primary = c.lastPrimary;
  const probes = await probeAll(c);
  const pp = probes.find((p) => p.node === primary)!;
  if (!pp.reachable) throw new InfraError(`cannot repoint to ${primary.container.node}: it does not answer (${pp.error})`);
  if (pp.inRecovery) throw new InfraError(`cannot repoint to ${primary.container.node}: it is a standby; promote first`);

  // The app first: writes recover as soon as it follows (a synchronous primary's commits wait for a
  // standby, so with synchronous_standby_names they resume once a repointed standby streams).
  const tApp = performance.now();
  await postAdminPrimary(c, primary.container.name, Math.max(100, deadline - Date.now()));
  const appNote = `app → ${primary.container.node} in ${ms(tApp)}`;

  const notes = await Promise.all(
    probes
      .filter((p) => p.node !== primary)
      .map(async (p): Promise<string> => {
        const n = p.node.container.node;
        if (!p.reachable) return `${n} unreachable, skipped`;
        // A reachable node that is not a standby is a former primary: rejoining it is a decision (pg_rewind
        // discards what it alone had), not a repoint. Left alone, and said.
        if (!p.inRecovery) return `${n} is not a standby (a second primary?), left alone`;
        const t = performance.now();
        try {
          await pointAt(c, p.node, primary, Math.max(500, deadline - Date.now()));
          const state = await waitStreaming(c, p.node, primary, deadline, opts.signal);
          return `${n} → ${primary.container.node} ${state} in ${ms(t)}`;
        } catch (error) {
          if (opts.signal.aborted) throw abortReason(opts.signal);
          return `${n} could not be repointed: ${errorMessage(error)}`;
        }
      }),
  );
  const detail = `${appNote}; ${notes.join('; ') || 'no other node'} (total ${ms(t0)})`;
  c.ctx.log.info({ primary: primary.container.node }, `runbook: repointed: ${detail}`);
  return { detail };
}

/** primary_conninfo of `node` → `primary`, by ALTER SYSTEM and a reload (the WAL receiver restarts with it). */
export async function pointAt(c: PgCluster, node: PgNode, primary: PgNode, timeoutMs: number): Promise<void> {
  await psql(c, node, `ALTER SYSTEM SET primary_conninfo = '${conninfo(primary.container.name, node.container.node, c.secrets)}'`, timeoutMs);
  await psql(c, node, 'SELECT pg_reload_conf()', timeoutMs);
}

/** Until the node's WAL receiver streams from `primary`, or the deadline; returns what was seen. */
export async function waitStreaming(c: PgCluster, node: PgNode, primary: PgNode, deadline: number, signal: AbortSignal): Promise<string> {
  let last = 'no WAL receiver';
  while (Date.now() < deadline) {
    if (signal.aborted) throw abortReason(signal);
    const p = await probe(c, node, 2000);
    if (p.receiver) {
      if (p.receiver.status === 'streaming' && p.receiver.host === primary.container.name) return 'streaming';
      last = `receiver ${p.receiver.status} from ${p.receiver.host}`;
    } else if (!p.reachable) last = p.error ?? 'unreachable';
    await sleep(50, signal);
  }
  return `NOT streaming at the timeout (${last})`;
}

async function checkPrimary(c: PgCluster, timeoutMs: number): Promise<boolean> {
  return psql(c, c.lastPrimary, 'SELECT 1', timeoutMs).then(
    () => true,
    () => false,
  );
}
