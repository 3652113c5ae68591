import { performance } from 'node:perf_hooks';
import { InfraError, errorMessage } from '../../util/errors.js';
import { abortReason, sleep } from '../../util/wait.js';
import type { Runbook } from '../stack.js';
import { postAdminPrimary } from '../app-admin.js';
import { configuredDelaySec, nodeByName, nodeList, probeAll, refreshPort, setPrimary, sourceOptions, target, type DbNode, type MysqlCluster, type Probe } from './cluster.js';
import type { ReplicaStatus } from './dialect.js';
import type { Sql } from './sql.js';

// The failover procedure a DBA (or an orchestrator) runs for MySQL/MariaDB replication, as drill steps:
//   promote  pick a replica (the most advanced by GTID, or a named one), optionally let it apply what it
//            already received, stop replication for good, make it writable;
//   repoint  tell the app, and point every other replica at the new primary (GTID auto-positioning);
//   check    one health query of the current primary (for drill's own detector).
// drill does not fence the old primary: if it is still alive and writable, that is the drill's finding.

export const ms = (from: number) => `${(performance.now() - from).toFixed(0)} ms`;

export function createRunbook(c: MysqlCluster): Runbook {
  return {
    promote: (opts) => promote(c, opts),
    repoint: (opts) => repoint(c, opts),
    checkPrimary: (timeoutMs) => checkPrimary(c, timeoutMs),
  };
}

export interface Candidate {
  probe: Probe & { status: ReplicaStatus };
  applied: number;
  received: number;
  appliedPos: string;
}

async function positionsOf(c: MysqlCluster, probes: Probe[], timeoutMs: number): Promise<Candidate[]> {
  const replicas = probes.filter((p): p is Candidate['probe'] => p.reachable && p.status !== null);
  return Promise.all(replicas.map(async (p) => ({ probe: p, ...(await c.sql.with(target(p.node), (sql) => c.dialect.counts(sql, p.status), { timeoutMs })) })));
}

async function containerState(c: MysqlCluster, node: DbNode): Promise<string> {
  try {
    return (await c.ctx.docker.getContainer(node.container.id).inspect()).State.Status;
  } catch (error) {
    return `gone (${errorMessage(error)})`;
  }
}

/** The replica to promote: `most-advanced` by GTID (received counts with catch-up), or a node by name; InfraError for a bad one. */
export async function pickCandidate(c: MysqlCluster, name: string, catchUp: boolean, timeoutMs: number): Promise<{ chosen: Candidate; why: string }> {
  const probes = await probeAll(c);
  if (name !== 'most-advanced') {
    const node = nodeByName(c, name);
    if (!node) throw new InfraError(`cannot promote ${name}: no such node (nodes: ${nodeList(c)})`);
    const p = probes.find((x) => x.node === node)!;
    if (!p.reachable) {
      const state = await containerState(c, node);
      throw new InfraError(state === 'running' ? `cannot promote ${name}: it does not answer (${p.error})` : `cannot promote ${name}: it is not running (container ${state})`);
    }
    if (!p.status) throw new InfraError(`cannot promote ${name}: it is not a replica (${p.readOnly ? 'read-only, not replicating' : 'it is writable and not replicating: already a primary'})`);
    const [chosen] = await positionsOf(c, [p], timeoutMs);
    return { chosen: chosen!, why: `named in the runbook` };
  }
  const candidates = await positionsOf(c, probes, timeoutMs);
  if (candidates.length === 0) {
    throw new InfraError(`cannot promote: no reachable replica (${probes.map((p) => `${p.node.container.node}: ${p.reachable ? 'not a replica' : 'unreachable'}`).join('; ')})`);
  }
  // With catch-up, what a replica received counts (it applies it before taking writes); without, only
  // what it applied. Ties: more applied (less to catch up), then the lower node number.
  const key = (x: Candidate) => (catchUp ? x.received : x.applied);
  const sorted = [...candidates].sort((a, b) => key(b) - key(a) || b.applied - a.applied || a.probe.node.serverId - b.probe.node.serverId);
  const why = `most advanced by GTID (${catchUp ? 'received' : 'applied'}): ${sorted.map((x) => `${x.probe.node.container.node} ${key(x)}`).join(', ')}`;
  return { chosen: sorted[0]!, why };
}

async function promote(c: MysqlCluster, opts: { candidate: string; catchUp: boolean; timeoutMs: number; signal: AbortSignal }): Promise<{ node: string; detail: string }> {
  const t0 = performance.now();
  const deadline = Date.now() + opts.timeoutMs;
  const left = () => Math.max(100, deadline - Date.now());
  const { chosen, why } = await pickCandidate(c, opts.candidate, opts.catchUp, left());
  const node = chosen.probe.node;
  const name = node.container.node;
  const pickedIn = ms(t0);
  const t1 = performance.now();
  const status = chosen.probe.status;
  let catchUpNote: string;
  await c.sql
    .with(
      target(node),
      async (sql) => {
        if (opts.catchUp) {
          // The receiver stops (nothing new may arrive from an old primary that is still alive), the applier
          // finishes the relay log; a delayed replica first loses its delay without losing its relay log.
          if (status.delaySec > 0) await c.dialect.removeDelayKeepingRelayLog(sql);
          else await c.dialect.stopReplica(sql, 'io');
          const backlog = chosen.received - chosen.applied;
          await waitApplied(c, sql, name, chosen.received, deadline, opts.signal);
          catchUpNote = `caught up ${backlog} received-but-unapplied transaction(s)${status.delaySec > 0 ? ` (MASTER_DELAY ${status.delaySec} s lifted)` : ''} in ${ms(t1)}`;
        } else {
          catchUpNote = `no catch-up: ${chosen.received - chosen.applied} received-but-unapplied transaction(s) discarded`;
        }
        const t2 = performance.now();
        await c.dialect.detachAndMakeWritable(sql);
        // A semi-sync primary's commits wait for a replica's ack: none is connected until repoint, so the
        // first commits wait semisyncTimeout, then it falls back to async until a replica catches up.
        if (c.spec.replication.mode === 'semisync') await c.dialect.setSemisyncSource(sql, true);
        catchUpNote += `; stop + reset + writable ${ms(t2)}`;
      },
      // waitApplied reports its own timeout; the connection's deadline is only a backstop.
      { timeoutMs: left() + 2000 },
    )
    .catch((error: unknown) => {
      if (opts.signal.aborted) throw abortReason(opts.signal);
      throw error instanceof InfraError ? error : new InfraError(`promoting ${name} failed: ${errorMessage(error)}`);
    });
  setPrimary(c, node);
  const position = await c.sql.with(target(node), (sql) => c.dialect.executedPosition(sql), { timeoutMs: left() }).catch(() => '?');
  c.ctx.log.info({ node: name, position }, 'runbook: promoted');
  return { node: name, detail: `${name} (${why}; picked in ${pickedIn}) at GTID ${position || '(empty)'}; ${catchUpNote!}` };
}

/**
 * Until the applier has executed the `received` transactions counted before catch-up began. File/position
 * coordinates cannot be trusted here: MariaDB's CHANGE MASTER ... RELAY_LOG_POS resets them. A transaction
 * cut in half by the kill is never applied: "read all relay log" twice in a row with no progress ends it.
 */
async function waitApplied(c: MysqlCluster, sql: Sql, name: string, received: number, deadline: number, signal: AbortSignal): Promise<void> {
  let idle = 0;
  let lastApplied = -1;
  for (;;) {
    if (signal.aborted) throw abortReason(signal);
    const st = await c.dialect.replicaStatus(sql);
    if (!st) return;
    if (st.sqlRunning !== 'Yes') throw new InfraError(`cannot catch up ${name}: its applier stopped${st.sqlError ? `: ${st.sqlError}` : ''}`);
    const counts = await c.dialect.counts(sql, st);
    const target = Math.max(received, counts.received);
    if (counts.applied >= target) return;
    idle = /read all relay log/i.test(st.sqlState) && counts.applied === lastApplied ? idle + 1 : 0;
    lastApplied = counts.applied;
    if (idle >= 2) return;
    if (Date.now() > deadline) throw new InfraError(`cannot catch up ${name}: ${target - counts.applied} transaction(s) still unapplied at the promote timeout (applier: ${st.sqlState || 'idle'})`);
    await sleep(25, signal);
  }
}

async function repoint(c: MysqlCluster, opts: { timeoutMs: number; signal: AbortSignal }): Promise<{ detail: string }> {
  const t0 = performance.now();
  const deadline = Date.now() + opts.timeoutMs;
  const primary = c.lastPrimary;
  const probes = await probeAll(c);
  const pp = probes.find((p) => p.node === primary)!;
  if (!pp.reachable) throw new InfraError(`cannot repoint to ${primary.container.node}: it does not answer (${pp.error})`);
  if (pp.status || pp.readOnly) throw new InfraError(`cannot repoint to ${primary.container.node}: it is not a primary (${pp.status ? 'still replicating' : 'read-only'}); promote first`);

  // The app first: writes recover as soon as it follows, the replicas can follow after.
  const tApp = performance.now();
  await postAdminPrimary(c, primary.container.name, Math.max(100, deadline - Date.now()));
  const appNote = `app → ${primary.container.node} in ${ms(tApp)}`;

  const others = probes.filter((p) => p.node !== primary);
  const notes = await Promise.all(
    others.map(async (p): Promise<string> => {
      const n = p.node.container.node;
      if (!p.reachable) return `${n} unreachable, skipped`;
      // A reachable node that is not a replica is a former primary: rejoining it is a decision (its own
      // writes may diverge), not a repoint. Left alone, and said.
      if (!p.status) return `${n} is not a replica (${p.readOnly ? 'read-only' : 'writable: a second primary?'}), left alone`;
      const t = performance.now();
      try {
        await c.sql.with(
          target(p.node),
          // MariaDB: MASTER_USE_GTID=slave_pos. These nodes were replicas all along, so what they applied
          // is gtid_slave_pos; current_pos would also count local binlogged writes and ask the new
          // primary for GTIDs it never had. (A former primary adopts its own position first: rejoin.)
          (sql) => pointAt(c, sql, p.node, primary),
          { timeoutMs: Math.max(100, deadline - Date.now()) },
        );
        const state = await waitReplicating(c, p.node, deadline, opts.signal);
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

/** Point `node` (connected as `sql`) at `primary` with GTID auto-positioning, and start replicating. */
export async function pointAt(c: MysqlCluster, sql: Sql, node: DbNode, primary: DbNode): Promise<void> {
  await c.dialect.stopReplica(sql);
  await c.dialect.changeSource(sql, sourceOptions(c, primary, configuredDelaySec(c, node)));
  await c.dialect.startReplica(sql);
}

/** Until both threads run (connected to the new primary) or an error shows; returns what was seen. */
export async function waitReplicating(c: MysqlCluster, node: DbNode, deadline: number, signal: AbortSignal): Promise<string> {
  let last = 'unknown';
  while (Date.now() < deadline) {
    if (signal.aborted) throw abortReason(signal);
    const st = await c.sql.with(target(node), (sql) => c.dialect.replicaStatus(sql), { timeoutMs: 2000 }).catch(() => null);
    if (st) {
      if (st.ioRunning === 'Yes' && st.sqlRunning === 'Yes') return 'replicating';
      if (st.ioError || st.sqlError) return `NOT replicating: ${st.ioError || st.sqlError}`;
      last = `receiver ${st.ioRunning}, applier ${st.sqlRunning}`;
    }
    await sleep(50, signal);
  }
  return `not yet replicating at the timeout (${last})`;
}

async function checkPrimary(c: MysqlCluster, timeoutMs: number): Promise<boolean> {
  const check = () =>
    c.sql
      .with(target(c.lastPrimary), (sql) => sql.rows('SELECT 1', [], timeoutMs), { connectTimeoutMs: timeoutMs, timeoutMs })
      .then(
        () => true,
        () => false,
      );
  // A refused connection may only mean the node was restarted onto a new host port.
  return (await check()) || ((await refreshPort(c, c.lastPrimary)) && (await check()));
}
