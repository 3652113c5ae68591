import type { PostgresStackSpec } from '../../spec/schema.js';
import { exec } from '../../engine/docker-exec.js';
import type { RunningContainer } from '../../engine/resources.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { StackContext } from '../plugin.js';
import { ADMIN_USER, SOCKET_DIR, asPostgres, type PgSecrets } from './server-script.js';

// The state the postgres stack and its runbook share, and how drill asks a node anything: psql inside
// the node's container over its unix socket (docker exec, ≈ 50-100 ms), as the postgres superuser. The
// runner needs no PostgreSQL client of its own and no published port.

export type PgStackContext = Omit<StackContext, 'images'> & { images: { postgres: string; app: string } };

export interface PgNode {
  container: RunningContainer;
}

export interface PgCluster {
  ctx: PgStackContext;
  spec: PostgresStackSpec;
  secrets: PgSecrets;
  nodes: PgNode[];
  network: string;
  /** The app's base URL on 127.0.0.1 (set once the app runs). */
  appUrl: string;
  /** The node drill started as primary or last promoted: the answer when no node can say. */
  lastPrimary: PgNode;
  /** The primary the last failover replaced (what `rejoin node: former-primary` brings back); null before any. */
  formerPrimary: PgNode | null;
}

/** Rows of a query, fields split on '|' (psql unaligned, tuples only); InfraError with psql's message otherwise. */
export async function psql(c: PgCluster, node: PgNode, sql: string, timeoutMs = 5000): Promise<string[][]> {
  const cmd = asPostgres(['psql', '-X', '-A', '-t', '-q', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-h', SOCKET_DIR, '-U', ADMIN_USER, '-d', 'drill', '-c', sql]);
  let result;
  try {
    result = await exec(c.ctx.docker, node.container.id, cmd, { timeoutMs });
  } catch (error) {
    throw new InfraError(`${node.container.node}: ${errorMessage(error)}`);
  }
  if (result.code !== 0) throw new InfraError(`${node.container.node}: psql exit ${result.code}: ${(result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' / ')}`);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('|'));
}

/** What a node says about itself at this moment. LSNs as byte positions (pg_wal_lsn_diff from 0/0). */
export interface Probe {
  node: PgNode;
  reachable: boolean;
  error?: string;
  inRecovery: boolean;
  /** Primary: its current WAL position; standby: what it received. */
  receivedLsn: number;
  /** Primary: its current WAL position; standby: what it replayed. */
  replayedLsn: number;
  /** Primary: the timeline it writes (a promoted node moves to a new one); standby: the one it receives. */
  timeline: number;
  /** The standby's WAL receiver: 'streaming' and its primary's host, or null (none running). */
  receiver: { status: string; host: string } | null;
}

const PROBE_SQL = `SELECT pg_is_in_recovery(),
  pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END, '0/0')::bigint,
  pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, '0/0')::bigint,
  CASE WHEN pg_is_in_recovery() THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver), (SELECT timeline_id FROM pg_control_checkpoint()))
    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
  coalesce((SELECT status || ',' || coalesce(sender_host, '') FROM pg_stat_wal_receiver), '')`;

export async function probe(c: PgCluster, node: PgNode, timeoutMs = 3000): Promise<Probe> {
  try {
    const [row] = await psql(c, node, PROBE_SQL, timeoutMs);
    if (!row) throw new InfraError('no answer to the probe');
    const [status, host] = (row[4] ?? '').split(',');
    return {
      node,
      reachable: true,
      inRecovery: row[0] === 't',
      receivedLsn: Number(row[1]),
      replayedLsn: Number(row[2]),
      timeline: Number(row[3]),
      receiver: status ? { status, host: host ?? '' } : null,
    };
  } catch (error) {
    return { node, reachable: false, error: errorMessage(error), inRecovery: false, receivedLsn: 0, replayedLsn: 0, timeline: 0, receiver: null };
  }
}

export function probeAll(c: PgCluster, timeoutMs?: number): Promise<Probe[]> {
  return Promise.all(c.nodes.map((n) => probe(c, n, timeoutMs)));
}

/**
 * The primary, as the nodes say: a reachable node not in recovery. Several (an old primary restarted next
 * to the promoted one: split brain) → the one drill promoted last, else the lowest-numbered. None
 * reachable → the one drill last made primary (it may be dead: a kill target).
 */
export function primaryOf(c: PgCluster, probes: Probe[]): PgNode {
  const writable = probes.filter((p) => p.reachable && !p.inRecovery).map((p) => p.node);
  return writable.find((n) => n === c.lastPrimary) ?? writable[0] ?? c.lastPrimary;
}

/** Record a change of primary: the one replaced becomes the former primary. */
export function setPrimary(c: PgCluster, node: PgNode): void {
  if (node !== c.lastPrimary) c.formerPrimary = c.lastPrimary;
  c.lastPrimary = node;
}

export function nodeByName(c: PgCluster, name: string): PgNode | undefined {
  return c.nodes.find((n) => n.container.node === name || n.container.name === name);
}

export function nodeList(c: PgCluster): string {
  return c.nodes.map((n) => n.container.node).join(', ');
}

/** Every write id on a node (COPY: one id a line). */
export async function readIds(c: PgCluster, node: PgNode, timeoutMs = 60_000): Promise<Set<number>> {
  const rows = await psql(c, node, 'COPY (SELECT id FROM drill.writes) TO STDOUT', timeoutMs);
  return new Set(rows.map((r) => Number(r[0])));
}

/** Bytes as "X/Y", PostgreSQL's way of writing an LSN. */
export function lsnText(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 32)
    .toString(16)
    .toUpperCase()}/${(bytes % 2 ** 32).toString(16).toUpperCase()}`;
}
