import { performance } from 'node:perf_hooks';
import { InfraError, errorMessage } from '../../util/errors.js';
import { abortReason, waitUntil } from '../../util/wait.js';
import type { SwitchoverOutcome } from '../stack.js';
import { primaryOf, probeAll, setPrimary, target, type DbNode, type MysqlCluster } from './cluster.js';
import { postAdminPrimary } from '../app-admin.js';
import { ms, pickCandidate, pointAt, waitReplicating } from './runbook.js';

// A planned switchover, the way a DBA does it by hand, so that nothing acknowledged can be lost:
//   1. fence    the old primary read-only (MySQL: super_read_only too): from here no write is
//               acknowledged anywhere; commits in progress finish first. Its GTID position is final.
//   2. catch up the candidate applies up to that position (MASTER_GTID_WAIT / GTID_SUBSET).
//   3. promote  stop and reset its replication, make it writable (semi-sync: the source side on).
//   4. attach   the old primary (after adopting its own position) and the other replicas replicate from
//               it with GTID; with semi-sync, wait until one acknowledges, or the first writes would wait
//               the whole semi-sync timeout.
//   5. app      the app's pool is pointed at it: writes are acknowledged again.
// Writes fail from 1 to 5: that pause is the switchover's downtime. A failure before 3 puts the old
// primary back to writable (nothing changed); after 3 the new primary stays, and the error says so.

const SEMISYNC_ACK_WAIT_MS = 2000;

export async function switchover(c: MysqlCluster, opts: { to: string; timeoutMs: number; signal: AbortSignal }): Promise<SwitchoverOutcome> {
  const t0 = performance.now();
  const deadline = Date.now() + opts.timeoutMs;
  const left = () => Math.max(100, deadline - Date.now());
  const steps: string[] = [];
  const probes = await probeAll(c);
  const old = primaryOf(c, probes);
  const oldName = old.container.node;
  const op = probes.find((p) => p.node === old)!;
  if (!op.reachable) throw new InfraError(`cannot switch over: the primary ${oldName} does not answer (${op.error}); a dead primary needs a failover (promote, repoint)`);
  if (op.readOnly || op.status) throw new InfraError(`cannot switch over: no node is a writable primary (${oldName} is ${op.readOnly ? 'read-only' : 'replicating'})`);

  const { chosen, why } = await pickCandidate(c, opts.to === 'best' ? 'most-advanced' : opts.to, true, left());
  const cand = chosen.probe.node;
  const candName = cand.container.node;
  const st = chosen.probe.status;
  if (st.sourceHost !== old.container.name) throw new InfraError(`cannot switch over to ${candName}: it replicates from ${st.sourceHost}, not from the primary ${oldName}`);
  if (st.ioRunning !== 'Yes' || st.sqlRunning !== 'Yes') {
    throw new InfraError(
      `cannot switch over to ${candName}: its replication is not running (receiver ${st.ioRunning}, applier ${st.sqlRunning}${st.ioError || st.sqlError ? `: ${st.ioError || st.sqlError}` : ''})`,
    );
  }
  steps.push(`${candName} picked (${why}) in ${ms(t0)}`);

  // 1. Fence.
  let t = performance.now();
  const position = await c.sql
    .with(
      target(old),
      async (sql) => {
        await c.dialect.fenceWrites(sql);
        return c.dialect.executedPosition(sql);
      },
      { timeoutMs: left() },
    )
    .catch(async (error: unknown) => {
      await unfence(c, old);
      throw new InfraError(`switchover ${oldName} → ${candName}: could not make ${oldName} read-only: ${errorMessage(error)}`);
    });
  steps.push(`${oldName} read-only at GTID ${position || '(empty)'} in ${ms(t)}`);

  // 2. Catch up, 3. promote: a failure here leaves the old primary in charge again.
  t = performance.now();
  try {
    const reached = await c.sql.with(target(cand), (sql) => c.dialect.waitForPosition(sql, position, left()), { timeoutMs: left() + 3000 });
    if (opts.signal.aborted) throw abortReason(opts.signal);
    if (!reached) throw new InfraError(`${candName} did not reach ${oldName}'s position ${position} before the timeout`);
    steps.push(`${candName} caught up in ${ms(t)}`);
    t = performance.now();
    await c.sql.with(
      target(cand),
      async (sql) => {
        await c.dialect.detachAndMakeWritable(sql);
        if (c.spec.replication.mode === 'semisync') await c.dialect.setSemisyncSource(sql, true);
      },
      { timeoutMs: left() },
    );
    steps.push(`${candName} promoted (stop + reset + writable) in ${ms(t)}`);
  } catch (error) {
    const undo = await rollBack(c, old, cand);
    throw new InfraError(`switchover ${oldName} → ${candName} failed: ${errorMessage(error)}; ${undo}`);
  }
  setPrimary(c, cand);

  // 4. Attach the old primary and the other replicas.
  t = performance.now();
  const others = probes.filter((p) => p.node !== cand && p.node !== old);
  const attached = await Promise.all([
    attach(c, old, cand, true, deadline, opts.signal),
    ...others.map((p) =>
      p.reachable && p.status
        ? attach(c, p.node, cand, false, deadline, opts.signal)
        : Promise.resolve(`${p.node.container.node} ${p.reachable ? 'not a replica, left alone' : 'unreachable, skipped'}`),
    ),
  ]);
  if (c.spec.replication.mode === 'semisync') attached.push(await semisyncAcks(c, cand, Math.min(SEMISYNC_ACK_WAIT_MS, left()), opts.signal));
  steps.push(`${attached.join('; ')} (${ms(t)})`);

  // 5. The app.
  t = performance.now();
  try {
    await postAdminPrimary(c, cand.container.name, left());
  } catch (error) {
    throw new InfraError(`switchover ${oldName} → ${candName}: ${candName} is the primary and writable, but ${errorMessage(error)}`);
  }
  steps.push(`app → ${candName} in ${ms(t)}`);
  const detail = `${steps.join('; ')} (total ${ms(t0)})`;
  c.ctx.log.info({ from: oldName, to: candName }, `switchover: ${detail}`);
  return { from: oldName, to: candName, detail };
}

/** The old primary (fenced, caught up) or another replica replicates from the new primary. */
async function attach(c: MysqlCluster, node: DbNode, primary: DbNode, formerPrimary: boolean, deadline: number, signal: AbortSignal): Promise<string> {
  const name = node.container.node;
  const t = performance.now();
  try {
    await c.sql.with(
      target(node),
      async (sql) => {
        if (formerPrimary) {
          // It stays read-only for good; a replica holding the semi-sync source side would hold its own
          // applier's commits (see Dialect.enableSemisync).
          if (c.spec.replication.mode === 'semisync') await c.dialect.setSemisyncSource(sql, false);
          await c.dialect.adoptOwnPosition(sql);
        }
        await pointAt(c, sql, node, primary);
      },
      { timeoutMs: Math.max(100, deadline - Date.now()) },
    );
    return `${name} → ${primary.container.node} ${await waitReplicating(c, node, deadline, signal)} in ${ms(t)}`;
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    return `${name} could not be attached: ${errorMessage(error)}`;
  }
}

/** Until the new semi-sync primary has a replica acknowledging (bounded); what was seen, in words. */
async function semisyncAcks(c: MysqlCluster, primary: DbNode, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const t = performance.now();
  let seen = { on: false, clients: 0 };
  try {
    await waitUntil(
      'a semi-sync replica',
      timeoutMs,
      signal,
      async () => {
        seen = await c.sql.with(target(primary), (sql) => c.dialect.semisyncClients(sql), { timeoutMs: 1000 }).catch(() => seen);
        return seen.clients > 0;
      },
      20,
    );
    return `semi-sync: ${seen.clients} replica(s) acknowledging in ${ms(t)}`;
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    return `semi-sync: no replica acknowledging after ${ms(t)} (the first commits wait the semi-sync timeout)`;
  }
}

/** Nothing was promoted: the old primary takes writes again, the candidate replicates again. In words. */
async function rollBack(c: MysqlCluster, old: DbNode, cand: DbNode): Promise<string> {
  const notes = [await unfence(c, old)];
  const restarted = await c.sql
    .with(target(cand), async (sql) => {
      const st = await c.dialect.replicaStatus(sql);
      if (st && (st.ioRunning !== 'Yes' || st.sqlRunning !== 'Yes')) await c.dialect.startReplica(sql);
      return st ? 'still replicates' : 'was detached (not replicating)';
    })
    .catch((error: unknown) => `could not be checked: ${errorMessage(error)}`);
  notes.push(`${cand.container.node} ${restarted}`);
  return notes.join('; ');
}

async function unfence(c: MysqlCluster, node: DbNode): Promise<string> {
  return c.sql
    .with(target(node), (sql) => c.dialect.setReadOnly(sql, false), { timeoutMs: 5000 })
    .then(
      () => `${node.container.node} is writable again (still the primary)`,
      (error: unknown) => `${node.container.node} could NOT be made writable again: ${errorMessage(error)}`,
    );
}
