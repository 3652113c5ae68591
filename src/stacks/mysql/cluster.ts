import type { MysqlReplicationStackSpec } from '../../spec/schema.js';
import { errorMessage } from '../../util/errors.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { Dialect, ReplicaStatus } from './dialect.js';
import { MYSQL_PORT, REPL_USER, type DbSecrets } from './server.js';
import type { SqlClient } from './sql.js';
import type { StackContext } from '../plugin.js';

// The state the stack and its runbook share: the nodes, drill's own record of which node it made
// primary, and probes that ask a node what it is right now.

export type MysqlStackContext = Omit<StackContext, 'images'> & { images: { mysql: string; app: string } };

export interface DbNode {
  container: RunningContainer;
  /** Host port on 127.0.0.1 → the node's 3306. */
  port: number;
  serverId: number;
}

export interface MysqlCluster {
  ctx: MysqlStackContext;
  spec: MysqlReplicationStackSpec;
  dialect: Dialect;
  sql: SqlClient;
  secrets: DbSecrets;
  nodes: DbNode[];
  /** The app's base URL on 127.0.0.1 (set once the app runs). */
  appUrl: string;
  /** The node drill started as primary or last promoted: the answer when no database can say. */
  lastPrimary: DbNode;
  /** The primary the last failover or switchover replaced (what `rejoin node: former-primary` brings back); null before any. */
  formerPrimary: DbNode | null;
  /** The network the nodes share, their server port on it, and the administrative user drill connects as. */
  access: { network: string; port: number; user: string };
}

/** What a node says about itself at this moment. */
export interface Probe {
  node: DbNode;
  reachable: boolean;
  error?: string;
  readOnly: boolean;
  /** null: replication not configured (a primary, or a detached node). */
  status: ReplicaStatus | null;
}

export function target(node: DbNode): { node: string; port: number } {
  return { node: node.container.node, port: node.port };
}

/**
 * Docker gives a restarted container a new random host port: after a failed connection, ask the engine
 * for the node's current port (updated in place, so every holder of the container sees it). True when
 * it changed.
 */
export async function refreshPort(c: MysqlCluster, node: DbNode): Promise<boolean> {
  const info = await c.ctx.docker
    .getContainer(node.container.id)
    .inspect()
    .catch(() => null);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
  const hostPort = info?.State.Running ? Number(info.NetworkSettings.Ports?.[`${MYSQL_PORT}/tcp`]?.[0]?.HostPort) : NaN;
  if (!hostPort || hostPort === node.port) return false;
  node.port = hostPort;
  node.container.ports[MYSQL_PORT] = hostPort;
  return true;
}

export async function probe(c: MysqlCluster, node: DbNode, timeoutMs = 1500): Promise<Probe> {
  const first = await probeOnce(c, node, timeoutMs);
  if (first.reachable || !(await refreshPort(c, node))) return first;
  return probeOnce(c, node, timeoutMs);
}

async function probeOnce(c: MysqlCluster, node: DbNode, timeoutMs: number): Promise<Probe> {
  try {
    return await c.sql.with(
      target(node),
      async (sql) => {
        const ro = (await sql.rows('SELECT @@GLOBAL.read_only AS ro'))[0];
        return { node, reachable: true, readOnly: Number(ro?.ro) === 1, status: await c.dialect.replicaStatus(sql) };
      },
      { connectTimeoutMs: Math.min(1000, timeoutMs), timeoutMs },
    );
  } catch (error) {
    return { node, reachable: false, error: errorMessage(error), readOnly: false, status: null };
  }
}

export function probeAll(c: MysqlCluster, timeoutMs?: number): Promise<Probe[]> {
  return Promise.all(c.nodes.map((n) => probe(c, n, timeoutMs)));
}

/**
 * The primary, as the databases say: a reachable node that is writable and not replicating. Several
 * (an old primary restarted next to the promoted one: split brain) → the one drill promoted last, else
 * the lowest-numbered. None reachable → the one drill last made primary (it may be dead: a kill target).
 */
export function primaryOf(c: MysqlCluster, probes: Probe[]): DbNode {
  const writable = probes.filter((p) => p.reachable && !p.readOnly && !p.status).map((p) => p.node);
  return writable.find((n) => n === c.lastPrimary) ?? writable[0] ?? c.lastPrimary;
}

/** Record a change of primary (promote, switchover): the one replaced becomes the former primary. */
export function setPrimary(c: MysqlCluster, node: DbNode): void {
  if (node !== c.lastPrimary) c.formerPrimary = c.lastPrimary;
  c.lastPrimary = node;
}

export function nodeByName(c: MysqlCluster, name: string): DbNode | undefined {
  return c.nodes.find((n) => n.container.node === name || n.container.name === name);
}

export function sourceOptions(c: MysqlCluster, source: DbNode, delaySec: number) {
  // Containers reach each other by container name on the run's network; never by the host's ports.
  return { host: source.container.name, port: MYSQL_PORT, user: c.secrets.replUser ?? REPL_USER, password: c.secrets.repl, delaySec };
}

/** The configured MASTER_DELAY of a node, in whole seconds (what the server takes). */
export function configuredDelaySec(c: MysqlCluster, node: DbNode): number {
  const d = c.spec.delayedReplica;
  return d && d.node === node.container.node ? Math.ceil(d.delayMs / 1000) : 0;
}

export function nodeList(c: MysqlCluster): string {
  return c.nodes.map((n) => n.container.node).join(', ');
}
