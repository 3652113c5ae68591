import { performance } from 'node:perf_hooks';
import { exec } from '../../engine/docker-exec.js';
import type { ErrantTransactions } from '../../measure/types.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { abortReason, sleep, waitUntil } from '../../util/wait.js';
import type { RejoinOutcome } from '../stack.js';
import { lsnText, nodeByName, nodeList, primaryOf, probe, probeAll, psql, readIds, type PgCluster, type PgNode } from './cluster.js';
import { ms, pointAt, waitStreaming } from './runbook.js';
import { ADMIN_USER, DATA_DIR, HOLD_FILE, PG_PORT, asPostgres, conninfo } from './server-script.js';

// Bring a node (by default the primary the last failover replaced) back as a standby of the primary:
//   1. start its container if it is down and wait until it answers (a former primary comes back as a
//      primary of its old timeline, after crash recovery), make it read-only at once;
//   2. divergence: the WAL it has past the point where the new primary's timeline forked (the new
//      timeline's history file names that LSN), and the write ids it has that the primary does not.
//      errant: fail and some → left out, read-only, reported;
//   3. pg_rewind: postgres stopped under the container's supervisor (the hold file), its data directory
//      rewound to the fork point from the primary (what it alone had is discarded), standby.signal and
//      primary_conninfo written, postgres started again as a standby; then until it streams and has
//      replayed the primary's position of a moment before: caughtUpAtMs, on the run clock.
// A node that is a standby already is only pointed at the primary.

const WRITE_IDS = 10;

export async function rejoin(c: PgCluster, opts: { node: string; errant: 'fail' | 'rebuild'; timeoutMs: number; signal: AbortSignal }): Promise<RejoinOutcome> {
  const t0 = performance.now();
  const deadline = Date.now() + opts.timeoutMs;
  const left = () => Math.max(500, deadline - Date.now());
  const node = resolveNode(c, opts.node);
  const name = node.container.node;
  const steps: string[] = [];

  // 1. Up and read-only.
  const started = await startIfDown(c, node, left(), opts.signal);
  if (started) steps.push(started);
  const primary = primaryOf(c, await probeAll(c));
  const primaryName = primary.container.node;
  if (primary === node) throw new InfraError(`cannot rejoin ${name}: it is the primary`);
  const mine = await probe(c, node);
  if (!mine.reachable) throw new InfraError(`cannot rejoin ${name}: it does not answer (${mine.error})`);
  const noErrant: ErrantTransactions = { count: 0, first: [], writeIds: [], resolution: 'none' };

  if (mine.inRecovery) {
    // A standby already: only its primary changes.
    const t = performance.now();
    await pointAt(c, node, primary, left());
    const state = await waitStreaming(c, node, primary, deadline, opts.signal);
    steps.push(`a standby already: → ${primaryName} ${state} in ${ms(t)}`);
    const caught = state === 'streaming' ? await waitCaughtUp(c, node, primary, deadline, opts.signal) : { atMs: null, seen: state };
    steps.push(caught.atMs === null ? `NOT caught up: ${caught.seen}` : `caught up with ${primaryName} ${caught.seen}`);
    return done(c, { node: name, primary: primaryName, caughtUpAtMs: caught.atMs, errant: noErrant, steps, t0 });
  }

  let t = performance.now();
  await psql(c, node, 'ALTER SYSTEM SET default_transaction_read_only = on', left());
  await psql(c, node, 'SELECT pg_reload_conf()', left());
  steps.push(`read-only in ${ms(t)}`);

  // 2. Divergence.
  t = performance.now();
  const theirs = await probe(c, primary);
  const fork = await forkPoint(c, primary, theirs.timeline);
  const extraBytes = fork === null ? 0 : Math.max(0, mine.replayedLsn - fork.lsn);
  // Counted by rows: WAL past the fork is no count of transactions (a crash recovery adds its own checkpoint).
  const extraIds = await errantWriteIds(c, node, primary, left());
  const writeIds = extraIds.slice(0, WRITE_IDS);
  const count = extraIds.length;
  const walRange = fork === null ? null : `WAL ${lsnText(fork.lsn)}..${lsnText(mine.replayedLsn)} on timeline ${mine.timeline} (${extraBytes} bytes past the fork to timeline ${fork.timeline})`;
  const errant = (resolution: ErrantTransactions['resolution']): ErrantTransactions => ({ count, first: count > 0 && walRange ? [walRange] : [], writeIds, resolution });
  steps.push(
    `${count === 0 ? 'no write it alone has' : `${count} write(s) it alone has (ids ${writeIds.join(', ')}${count > WRITE_IDS ? ' …' : ''})`}; ${walRange ?? 'no fork point'}: ${name} at ${lsnText(mine.replayedLsn)} (timeline ${mine.timeline}), ${primaryName} forked at ${fork ? lsnText(fork.lsn) : '?'} (timeline ${theirs.timeline}) (${ms(t)})`,
  );
  if (count > 0 && opts.errant === 'fail') {
    steps.push('left out (errant: fail): read-only, not a standby');
    return done(c, { node: name, primary: primaryName, caughtUpAtMs: null, errant: errant('refused'), steps, t0 });
  }

  // 3. pg_rewind and restart as a standby.
  t = performance.now();
  const rewound = await rewind(c, node, primary, left());
  steps.push(`${rewound} in ${ms(t)}`);
  t = performance.now();
  const state = await waitStreaming(c, node, primary, deadline, opts.signal);
  steps.push(`→ ${primaryName} ${state} in ${ms(t)}`);
  const caught = state === 'streaming' ? await waitCaughtUp(c, node, primary, deadline, opts.signal) : { atMs: null, seen: state };
  steps.push(caught.atMs === null ? `NOT caught up: ${caught.seen}` : `caught up with ${primaryName} ${caught.seen} in ${ms(t)}`);
  return done(c, { node: name, primary: primaryName, caughtUpAtMs: caught.atMs, errant: errant(count > 0 ? 'discarded' : 'none'), steps, t0 });
}

/** Stop postgres under the supervisor, pg_rewind from the primary, write the standby settings, start it again. What pg_rewind said. */
async function rewind(c: PgCluster, node: PgNode, primary: PgNode, timeoutMs: number): Promise<string> {
  const source = `host=${primary.container.name} port=${PG_PORT} user=${ADMIN_USER} dbname=postgres`;
  // pg_rewind (15) reads the source's timeline from its control file, which a promoted standby updates
  // only at its first checkpoint: without one it finds "no rewind required" and the node cannot follow.
  await psql(c, primary, 'CHECKPOINT', timeoutMs);
  const script = `set -e
export PATH=/usr/lib/postgresql/15/bin:$PATH
touch ${HOLD_FILE}
pg_ctl stop -D ${DATA_DIR} -m fast -w -t 30 > /dev/null
pg_rewind -D ${DATA_DIR} --source-server="${source}" 2>&1
touch ${DATA_DIR}/standby.signal
echo "primary_conninfo = '${conninfo(primary.container.name, node.container.node, c.secrets)}'" >> ${DATA_DIR}/postgresql.auto.conf
rm -f ${HOLD_FILE}`;
  const result = await exec(c.ctx.docker, node.container.id, asPostgres(['bash', '-c', script]), { timeoutMs, env: { PGPASSWORD: c.secrets.admin } }).catch((error: unknown) => {
    throw new InfraError(`cannot rejoin ${node.container.node}: pg_rewind: ${errorMessage(error)}`);
  });
  const said = (result.stdout + result.stderr).trim().split('\n').filter(Boolean);
  if (result.code !== 0) throw new InfraError(`cannot rejoin ${node.container.node}: pg_rewind failed (exit ${result.code}): ${said.slice(-3).join(' / ')}`);
  const summary = said.filter((l) => /servers diverged|no rewind required|Done!/i.test(l)).map((l) => l.replace(/^pg_rewind: /, ''));
  return `pg_rewind from ${primary.container.node}: ${summary.join('; ') || 'done'}; restarted as a standby`;
}

/** Where the primary's timeline forked from its parent: the last line of its timeline history file. */
async function forkPoint(c: PgCluster, primary: PgNode, timeline: number): Promise<{ lsn: number; timeline: number } | null> {
  if (timeline <= 1) return null;
  const file = `pg_wal/${timeline.toString(16).toUpperCase().padStart(8, '0')}.history`;
  try {
    const rows = await psql(
      c,
      primary,
      `SELECT pg_wal_lsn_diff(split_part(l, E'\\t', 2)::pg_lsn, '0/0')::bigint FROM regexp_split_to_table(pg_read_file('${file}'), E'\\n') AS l WHERE l ~ '^[0-9]+\\t' ORDER BY 1 DESC LIMIT 1`,
    );
    const lsn = Number(rows[0]?.[0]);
    return Number.isFinite(lsn) ? { lsn, timeline } : null;
  } catch (error) {
    c.ctx.log.warn({ node: primary.container.node, err: errorMessage(error) }, 'rejoin: could not read the timeline history');
    return null;
  }
}

function done(c: PgCluster, r: { node: string; primary: string; caughtUpAtMs: number | null; errant: ErrantTransactions; steps: string[]; t0: number }): RejoinOutcome {
  const detail = `${r.steps.join('; ')} (total ${ms(r.t0)})`;
  c.ctx.log.info({ node: r.node, primary: r.primary, errant: r.errant.count }, `rejoin: ${detail}`);
  return { node: r.node, primary: r.primary, caughtUpAtMs: r.caughtUpAtMs, errant: r.errant, detail };
}

function resolveNode(c: PgCluster, name: string): PgNode {
  if (name === 'former-primary') {
    if (!c.formerPrimary) throw new InfraError('cannot rejoin the former primary: no failover has replaced a primary yet');
    return c.formerPrimary;
  }
  const node = nodeByName(c, name);
  if (!node) throw new InfraError(`cannot rejoin ${name}: no such node (nodes: ${nodeList(c)})`);
  return node;
}

/** Start the node's container if it is not running and wait until the server answers; what was done, or null. */
async function startIfDown(c: PgCluster, node: PgNode, timeoutMs: number, signal: AbortSignal): Promise<string | null> {
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
    100,
  ).catch((error: unknown) => {
    if (signal.aborted) throw abortReason(signal);
    throw new InfraError(`cannot rejoin ${node.container.node}: ${errorMessage(error)}${last ? ` (last: ${last})` : ''}`);
  });
  return `container started in ${(tStarted - t).toFixed(0)} ms, server answering after ${ms(t)}`;
}

/** Write ids the node has and the primary does not, in order. */
async function errantWriteIds(c: PgCluster, node: PgNode, primary: PgNode, timeoutMs: number): Promise<number[]> {
  try {
    const mine = await readIds(c, node, timeoutMs);
    const theirs = await readIds(c, primary, timeoutMs);
    return [...mine].filter((id) => !theirs.has(id)).sort((a, b) => a - b);
  } catch (error) {
    c.ctx.log.warn({ node: node.container.node, err: errorMessage(error) }, 'rejoin: could not read the errant rows');
    return [];
  }
}

/** Until the node has replayed the primary's position read a moment before; the run-clock time, or null and what was seen. */
async function waitCaughtUp(c: PgCluster, node: PgNode, primary: PgNode, deadline: number, signal: AbortSignal): Promise<{ atMs: number | null; seen: string }> {
  const target = (await probe(c, primary)).replayedLsn;
  let seen = 'not checked';
  while (Date.now() < deadline) {
    if (signal.aborted) throw abortReason(signal);
    const p = await probe(c, node, 2000);
    if (p.reachable && p.replayedLsn >= target) return { atMs: c.ctx.clock.nowMs(), seen: `at ${lsnText(target)}` };
    seen = p.reachable ? `replayed ${lsnText(p.replayedLsn)} of ${lsnText(target)}` : (p.error ?? 'unreachable');
    await sleep(50, signal);
  }
  return { atMs: null, seen: `${seen} at the timeout` };
}
