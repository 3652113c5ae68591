import { performance } from 'node:perf_hooks';
import type { ErrantTransactions } from '../../measure/types.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { abortReason, sleep, waitUntil } from '../../util/wait.js';
import type { RejoinOutcome } from '../stack.js';
import { nodeByName, nodeList, primaryOf, probe, probeAll, refreshPort, target, type DbNode, type MysqlCluster } from './cluster.js';
import { recloneFrom } from './reclone.js';
import { ms, pointAt, waitReplicating } from './runbook.js';
import type { Sql } from './sql.js';

// Bring a node (by default the primary the last failover or switchover replaced) back as a replica:
//   1. start its container if it is down, wait until it answers, make it read-only at once (a former
//      primary comes back writable) and stop anything it replicates;
//   2. errant transactions: its history minus the primary's (errant.ts). errant: fail and some → left
//      out, read-only and not replicating, reported. errant: rebuild → reported, then discarded by
//      re-cloning the node from the primary (reclone.ts);
//   3. replicate from the primary with GTID (a former primary first adopts its own position), and wait
//      until it has applied what the primary had a moment before: caughtUpAtMs, on the run clock.

const WRITE_IDS = 10;

export async function rejoin(c: MysqlCluster, opts: { node: string; errant: 'fail' | 'rebuild'; timeoutMs: number; signal: AbortSignal }): Promise<RejoinOutcome> {
  const t0 = performance.now();
  const deadline = Date.now() + opts.timeoutMs;
  const left = () => Math.max(100, deadline - Date.now());
  const node = resolveNode(c, opts.node);
  const name = node.container.node;
  const steps: string[] = [];

  // 1. Up, fenced, still.
  const started = await startIfDown(c, node, left(), opts.signal);
  if (started) steps.push(started);
  const primary = primaryOf(c, await probeAll(c));
  const primaryName = primary.container.node;
  if (primary === node) throw new InfraError(`cannot rejoin ${name}: it is the primary`);
  let t = performance.now();
  await c.sql.with(
    target(node),
    async (sql) => {
      await c.dialect.setReadOnly(sql, true);
      await c.dialect.stopReplica(sql);
      if (c.spec.replication.mode === 'semisync') await c.dialect.setSemisyncSource(sql, false);
    },
    { timeoutMs: left() },
  );
  steps.push(`read-only, not replicating in ${ms(t)}`);

  // 2. Errant transactions.
  t = performance.now();
  const nodeHistory = await c.sql.with(target(node), (sql) => c.dialect.history(sql), { timeoutMs: left() });
  const primaryHistory = await c.sql.with(target(primary), (sql) => c.dialect.history(sql), { timeoutMs: left() });
  const found = c.dialect.errant(nodeHistory, primaryHistory);
  const writeIds = found.count > 0 ? await errantWriteIds(c, node, primary, left()) : [];
  const errant = (resolution: ErrantTransactions['resolution']): ErrantTransactions => ({
    count: found.count,
    first: found.first.length > 0 ? found.first : found.ranges,
    writeIds,
    resolution,
  });
  const said =
    found.count === 0
      ? 'no errant transaction'
      : `${found.count} errant transaction(s) (${found.ranges.join(', ')}; write ids ${writeIds.join(', ') || 'none'}${writeIds.length === WRITE_IDS ? ' …' : ''})`;
  steps.push(`${said}: its history ${nodeHistory || '(empty)'} vs ${primaryName}'s ${primaryHistory || '(empty)'} (${ms(t)})`);
  if (found.count > 0 && opts.errant === 'fail') {
    steps.push('left out of the cluster (errant: fail): read-only, not replicating');
    return done(c, { node: name, primary: primaryName, caughtUpAtMs: null, errant: errant('refused'), steps, t0 });
  }

  if (found.count > 0) steps.push((await recloneFrom(c, node, primary, left())).detail);
  else await c.sql.with(target(node), (sql) => c.dialect.adoptOwnPosition(sql), { timeoutMs: left() });

  // 3. Replicate and catch up.
  t = performance.now();
  await c.sql.with(target(node), (sql: Sql) => pointAt(c, sql, node, primary), { timeoutMs: left() });
  const state = await waitReplicating(c, node, deadline, opts.signal);
  steps.push(`→ ${primaryName} ${state} in ${ms(t)}`);
  const caught = state === 'replicating' ? await waitCaughtUp(c, node, primary, deadline, opts.signal) : { atMs: null, seen: state };
  steps.push(caught.atMs === null ? `NOT caught up: ${caught.seen}` : `caught up with ${primaryName} ${caught.seen} in ${ms(t)}`);
  return done(c, { node: name, primary: primaryName, caughtUpAtMs: caught.atMs, errant: errant(found.count > 0 ? 'discarded' : 'none'), steps, t0 });
}

function done(c: MysqlCluster, r: { node: string; primary: string; caughtUpAtMs: number | null; errant: ErrantTransactions; steps: string[]; t0: number }): RejoinOutcome {
  const detail = `${r.steps.join('; ')} (total ${ms(r.t0)})`;
  c.ctx.log.info({ node: r.node, primary: r.primary, errant: r.errant.count }, `rejoin: ${detail}`);
  return { node: r.node, primary: r.primary, caughtUpAtMs: r.caughtUpAtMs, errant: r.errant, detail };
}

function resolveNode(c: MysqlCluster, name: string): DbNode {
  if (name === 'former-primary') {
    if (!c.formerPrimary) throw new InfraError('cannot rejoin the former primary: no failover or switchover has replaced a primary yet');
    return c.formerPrimary;
  }
  const node = nodeByName(c, name);
  if (!node) throw new InfraError(`cannot rejoin ${name}: no such node (nodes: ${nodeList(c)})`);
  return node;
}

/** Start the node's container if it is not running and wait until the server answers; what was done, or null. */
async function startIfDown(c: MysqlCluster, node: DbNode, timeoutMs: number, signal: AbortSignal): Promise<string | null> {
  const t = performance.now();
  const container = c.ctx.docker.getContainer(node.container.id);
  const info = await container.inspect().catch((error: unknown) => {
    throw new InfraError(`cannot rejoin ${node.container.node}: its container is gone (${errorMessage(error)})`);
  });
  if (info.State.Running) return null;
  await container.start().catch((error: unknown) => {
    throw new InfraError(`cannot rejoin ${node.container.node}: starting its container failed: ${errorMessage(error)}`);
  });
  const tStarted = performance.now();
  await refreshPort(c, node);
  let last = '';
  await waitUntil(
    `${node.container.node} to answer after its start`,
    timeoutMs,
    signal,
    async () => {
      const p = await probe(c, node, 1000);
      last = p.error ?? '';
      return p.reachable;
    },
    50,
  ).catch((error: unknown) => {
    if (signal.aborted) throw abortReason(signal);
    throw new InfraError(`cannot rejoin ${node.container.node}: ${errorMessage(error)}${last ? ` (last: ${last})` : ''}`);
  });
  return `container started in ${(tStarted - t).toFixed(0)} ms, server answering after ${ms(t)}`;
}

/** Write ids the node has and the primary does not: the rows its errant transactions wrote (first few). */
async function errantWriteIds(c: MysqlCluster, node: DbNode, primary: DbNode, timeoutMs: number): Promise<number[]> {
  const ids = (sql: Sql) => sql.rows('SELECT id FROM drill.writes ORDER BY id', [], timeoutMs).then((rows) => rows.map((r) => Number(r.id)));
  try {
    // The node first: it is still; the primary only grows.
    const mine = await c.sql.with(target(node), ids, { timeoutMs });
    const theirs = new Set(await c.sql.with(target(primary), ids, { timeoutMs }));
    return mine.filter((id) => !theirs.has(id)).slice(0, WRITE_IDS);
  } catch (error) {
    c.ctx.log.warn({ node: node.container.node, err: errorMessage(error) }, 'rejoin: could not read the errant rows');
    return [];
  }
}

/**
 * Until the node has applied the primary's position read a moment before (the primary keeps taking writes:
 * caught up = no further behind than one such round). The run-clock time it was seen, or null and what was
 * last seen.
 */
async function waitCaughtUp(c: MysqlCluster, node: DbNode, primary: DbNode, deadline: number, signal: AbortSignal): Promise<{ atMs: number | null; seen: string }> {
  let seen = 'not checked';
  while (Date.now() < deadline) {
    if (signal.aborted) throw abortReason(signal);
    try {
      const position = await c.sql.with(target(primary), (sql) => c.dialect.executedPosition(sql), { timeoutMs: 2000 });
      const slice = Math.min(1000, Math.max(0, deadline - Date.now()));
      const reached = await c.sql.with(target(node), (sql) => c.dialect.waitForPosition(sql, position, slice), { timeoutMs: slice + 3000 });
      if (reached) return { atMs: c.ctx.clock.nowMs(), seen: `at GTID ${position || '(empty)'}` };
      const st = await c.sql.with(target(node), (sql) => c.dialect.replicaStatus(sql), { timeoutMs: 2000 });
      seen = st ? `receiver ${st.ioRunning}, applier ${st.sqlRunning}${st.ioError || st.sqlError ? `: ${st.ioError || st.sqlError}` : ''}; primary at ${position}` : 'not replicating';
      if (st && (st.ioError || st.sqlError) && st.sqlRunning !== 'Yes') return { atMs: null, seen };
    } catch (error) {
      seen = errorMessage(error);
      await sleep(100, signal);
    }
  }
  return { atMs: null, seen: `${seen} at the timeout` };
}
