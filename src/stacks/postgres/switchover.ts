import { performance } from 'node:perf_hooks';
import { exec } from '../../engine/docker-exec.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { abortReason, sleep } from '../../util/wait.js';
import { postAdminPrimary } from '../app-admin.js';
import type { SwitchoverOutcome } from '../stack.js';
import { lsnText, nodeByName, nodeList, primaryOf, probe, probeAll, psql, setPrimary, type PgCluster, type PgNode } from './cluster.js';
import { ms, pointAt, waitStreaming } from './runbook.js';
import { DATA_DIR, HOLD_FILE, asPostgres, conninfo } from './server-script.js';

// A planned change of primary, the PostgreSQL way: the old primary is shut down cleanly (a fast shutdown
// sends all its WAL, its shutdown checkpoint included, to the connected standbys before it ends), the
// target is promoted once it received that checkpoint, the app follows, and the old primary starts again
// as a standby of the target (its WAL ends exactly where the new timeline begins: no pg_rewind needed),
// the other standbys repointed.

export async function switchover(c: PgCluster, opts: { to: string; timeoutMs: number; signal: AbortSignal }): Promise<SwitchoverOutcome> {
  const t0 = performance.now();
  const deadline = Date.now() + opts.timeoutMs;
  const left = () => Math.max(500, deadline - Date.now());
  const probes = await probeAll(c);
  const old = primaryOf(c, probes);
  const oldProbe = probes.find((p) => p.node === old)!;
  if (!oldProbe.reachable || oldProbe.inRecovery) throw new InfraError(`cannot switch over: no primary answers (${old.container.node}: ${oldProbe.error ?? 'a standby'})`);
  const standbys = probes.filter((p) => p.reachable && p.inRecovery);
  let target: PgNode;
  if (opts.to === 'best') {
    const best = [...standbys].sort((a, b) => b.receivedLsn - a.receivedLsn || c.nodes.indexOf(a.node) - c.nodes.indexOf(b.node))[0];
    if (!best) throw new InfraError('cannot switch over: no reachable standby');
    target = best.node;
  } else {
    const named = nodeByName(c, opts.to);
    if (!named) throw new InfraError(`cannot switch over to ${opts.to}: no such node (nodes: ${nodeList(c)})`);
    if (!standbys.some((p) => p.node === named)) throw new InfraError(`cannot switch over to ${opts.to}: it is not a reachable standby`);
    target = named;
  }
  const steps: string[] = [];

  // 1. The old primary stops cleanly under the supervisor's hold; its shutdown checkpoint is where it ends.
  let t = performance.now();
  const stopped = await exec(
    c.ctx.docker,
    old.container.id,
    asPostgres(['bash', '-c', `set -e; export PATH=/usr/lib/postgresql/15/bin:$PATH; touch ${HOLD_FILE}; pg_ctl stop -D ${DATA_DIR} -m fast -w -t 30 > /dev/null; pg_controldata -D ${DATA_DIR}`]),
    { timeoutMs: left() },
  );
  if (stopped.code !== 0) throw new InfraError(`cannot switch over: stopping ${old.container.node} failed: ${stopped.stderr.trim().slice(-300)}`);
  const checkpoint = /Latest checkpoint location:\s+([0-9A-F]+)\/([0-9A-F]+)/i.exec(stopped.stdout);
  const endLsn = checkpoint ? parseInt(checkpoint[1]!, 16) * 2 ** 32 + parseInt(checkpoint[2]!, 16) : null;
  steps.push(`${old.container.node} shut down in ${ms(t)} (shutdown checkpoint ${endLsn === null ? '?' : lsnText(endLsn)})`);

  // 2. The target has received it all, then is promoted.
  t = performance.now();
  if (endLsn !== null) {
    for (;;) {
      if (opts.signal.aborted) throw abortReason(opts.signal);
      const p = await probe(c, target);
      if (p.reachable && p.receivedLsn > endLsn) break;
      if (Date.now() > deadline)
        throw new InfraError(`cannot switch over: ${target.container.node} did not receive ${old.container.node}'s last WAL (${lsnText(p.receivedLsn)} of ${lsnText(endLsn)})`);
      await sleep(25, opts.signal);
    }
  }
  const [row] = await psql(c, target, `SELECT pg_promote(true, ${Math.ceil(left() / 1000)})`, left() + 2000);
  if (row?.[0] !== 't') throw new InfraError(`cannot switch over: pg_promote() on ${target.container.node} did not finish in time`);
  setPrimary(c, target);
  steps.push(`${target.container.node} caught up and promoted in ${ms(t)}`);

  // 3. The app follows; the old primary starts again as a standby; the others are repointed.
  t = performance.now();
  await postAdminPrimary(c, target.container.name, left());
  steps.push(`app → ${target.container.node} in ${ms(t)}`);
  t = performance.now();
  const restart = await exec(
    c.ctx.docker,
    old.container.id,
    asPostgres([
      'bash',
      '-c',
      `set -e; touch ${DATA_DIR}/standby.signal; echo "primary_conninfo = '${conninfo(target.container.name, old.container.node, c.secrets)}'" >> ${DATA_DIR}/postgresql.auto.conf; rm -f ${HOLD_FILE}`,
    ]),
    { timeoutMs: left() },
  );
  if (restart.code !== 0) throw new InfraError(`switchover: restarting ${old.container.node} as a standby failed: ${restart.stderr.trim().slice(-300)}`);
  const others = standbys.filter((p) => p.node !== target);
  const notes = await Promise.all(
    others.map(async (p) => {
      try {
        await pointAt(c, p.node, target, left());
        return `${p.node.container.node} → ${target.container.node} ${await waitStreaming(c, p.node, target, deadline, opts.signal)}`;
      } catch (error) {
        if (opts.signal.aborted) throw abortReason(opts.signal);
        return `${p.node.container.node} could not be repointed: ${errorMessage(error)}`;
      }
    }),
  );
  const oldState = await waitStreaming(c, old, target, deadline, opts.signal);
  steps.push(`${old.container.node} → ${target.container.node} as a standby ${oldState} in ${ms(t)}`, ...notes);
  const detail = `${steps.join('; ')} (total ${ms(t0)})`;
  c.ctx.log.info({ from: old.container.node, to: target.container.node }, `switchover: ${detail}`);
  return { from: old.container.node, to: target.container.node, detail };
}
