import type { PatroniStackSpec } from '../../spec/schema.js';
import type { RunningContainer } from '../../engine/resources.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { StackContext } from '../plugin.js';
import type { DataAccess, NodeData, Stack, StackEvent, StackTopology } from '../stack.js';
import { APP_DATABASE, APP_USER, ETCD_CLIENT_PORT, PG_PORT, REST_PORT, type PatroniSecrets } from './config.js';
import { etcdLeader } from './etcd-status.js';
import { psql } from './psql.js';
import { clusterView, majorityLeader } from './rest-api.js';

// The running patroni stack: roles are asked of Patroni's REST API at the moment they are needed (the
// leader most nodes name), data is read back from every node with psql over its local socket.

const READ_IDS_SQL = 'SELECT id FROM drill.writes ORDER BY id';
// How long the read-back waits for the leader's PostgreSQL to answer after the run (see settledLeader).
const VERIFY_SETTLE_MS = 30_000;

export class PatroniStack implements Stack {
  readonly kind = 'patroni';

  constructor(
    private readonly ctx: StackContext,
    readonly spec: PatroniStackSpec,
    readonly containers: RunningContainer[],
    readonly appUrl: string,
    private readonly secrets: PatroniSecrets,
  ) {}

  get network(): string {
    return `drill-${this.ctx.run.token}`;
  }

  get data(): DataAccess {
    return { kind: 'postgres', port: PG_PORT, user: APP_USER, password: this.secrets.app };
  }

  private get pgNodes(): RunningContainer[] {
    return this.containers.filter((c) => c.role === 'pg');
  }

  /** What each Patroni node's /cluster says (null: no answer within a second). */
  private views() {
    return Promise.all(this.pgNodes.map((n) => clusterView(n.ports[REST_PORT]!)));
  }

  async primary(): Promise<RunningContainer> {
    const { leader, answers } = majorityLeader(await this.views());
    const node = this.pgNodes.find((n) => n.node === leader);
    if (!node) throw new InfraError(`no Patroni node could name the leader (answers: ${JSON.stringify(answers)})`);
    return node;
  }

  async replicas(): Promise<RunningContainer[]> {
    const primary = await this.primary();
    return this.pgNodes.filter((n) => n !== primary);
  }

  async topology(): Promise<StackTopology> {
    const primary = await this.primary().catch(() => null);
    return { primary: primary?.name ?? null, replicas: this.pgNodes.filter((n) => n !== primary).map((n) => n.name) };
  }

  /** Roles only this stack has: leader (= primary), sync-standby, etcd (the first etcd node), etcd-leader. */
  async resolveRole(role: string): Promise<RunningContainer | null> {
    switch (role) {
      case 'leader':
        return this.primary();
      case 'sync-standby': {
        const views = (await this.views()).filter((v) => v !== null);
        const { leader } = majorityLeader(views);
        const view = views.find((v) => v.some((m) => m.name === leader));
        const sync = view?.find((m) => m.role === 'sync_standby')?.name;
        const node = this.pgNodes.find((n) => n.node === sync);
        if (!node) throw new InfraError(`target sync-standby: Patroni names no synchronous standby now${this.spec.patroni.synchronousMode ? '' : ' (stack.patroni.synchronousMode is false)'}`);
        return node;
      }
      case 'etcd':
        return this.containers.find((c) => c.role === 'etcd') ?? null;
      case 'etcd-leader': {
        const etcd = this.containers.filter((c) => c.role === 'etcd');
        const id = await etcdLeader(etcd.map((c) => c.ports[ETCD_CLIENT_PORT]!));
        const node = id === null ? undefined : etcd[id.index];
        if (!node) throw new InfraError('target etcd-leader: no etcd node named a leader');
        return node;
      }
      case 'haproxy':
        return this.containers.find((c) => c.role === 'haproxy') ?? null;
      default:
        return null;
    }
  }

  /** Every node of a plural role only this stack has (etcds). */
  groupRole(role: string): RunningContainer[] | null {
    return role === 'etcds' ? this.containers.filter((c) => c.role === 'etcd') : null;
  }

  async readWriteIds(): Promise<Set<number>> {
    const rows = await psql(this.ctx.docker, await this.primary(), READ_IDS_SQL, { database: APP_DATABASE });
    return new Set(rows.map(Number));
  }

  /**
   * Every Patroni node's ids, read over its own socket, once the replicas replayed what the leader has
   * (bounded). The drill's tight ttl/retry_timeout let a leader demote itself when etcd answers slowly on a
   * busy host (seen here: "demoting self because DCS is not accessible" 20 s after the heal, during the
   * read-back): when the leader could not be read, the whole read is done again on the leader after it,
   * within VERIFY_SETTLE_MS.
   */
  async verify(opts: { catchUpTimeoutMs: number }): Promise<NodeData[]> {
    const deadline = Date.now() + VERIFY_SETTLE_MS;
    for (;;) {
      const nodes = await this.readAll(opts, Math.max(1000, deadline - Date.now()));
      const leader = nodes.find((n) => n.role === 'primary');
      if ((leader && leader.ids !== null) || Date.now() >= deadline) return nodes;
      this.ctx.log.warn({ nodes: nodes.map((n) => `${n.node}: ${n.role}${n.error ? ` (${n.error})` : ''}`) }, 'patroni read-back: no leader could be read; reading again');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async readAll(opts: { catchUpTimeoutMs: number }, settleMs: number): Promise<NodeData[]> {
    const primary = await this.settledLeader(settleMs);
    if (primary) {
      const deadline = Date.now() + opts.catchUpTimeoutMs;
      const target = await psql(this.ctx.docker, primary, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").catch(() => []);
      const lsn = Number(target[0]);
      for (const node of this.pgNodes.filter((n) => n !== primary)) {
        while (Number.isFinite(lsn) && Date.now() < deadline) {
          const replayed = await psql(this.ctx.docker, node, "SELECT COALESCE(pg_last_wal_replay_lsn() - '0/0'::pg_lsn, 0)", { timeoutMs: 3000 }).catch(() => null);
          if (replayed === null || Number(replayed[0]) >= lsn) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    return Promise.all(
      this.pgNodes.map(async (node): Promise<NodeData> => {
        try {
          const rows = await psql(this.ctx.docker, node, READ_IDS_SQL, { database: APP_DATABASE, timeoutMs: 15_000 });
          return { node: node.node, container: node.name, role: node === primary ? 'primary' : 'replica', ids: new Set(rows.map(Number)) };
        } catch (error) {
          return { node: node.node, container: node.name, role: 'unreachable', ids: null, error: errorMessage(error) };
        }
      }),
    );
  }

  /**
   * The leader, once its PostgreSQL answers on its socket. Right after a heal Patroni may still be
   * restarting PostgreSQL (the old leader rewinding, a node re-reading the DCS), so a read-back at that
   * moment finds no server: wait for the leader most nodes name to answer, up to `timeoutMs`.
   */
  private async settledLeader(timeoutMs: number): Promise<RunningContainer | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = await this.primary().catch(() => null);
      if (
        leader &&
        (await psql(this.ctx.docker, leader, 'SELECT 1', { timeoutMs: 3000 }).then(
          () => true,
          () => false,
        ))
      )
        return leader;
      if (Date.now() >= deadline) return leader;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Patroni's, etcd's and HAProxy's own voices come from their logs (stacks/patroni/log-rules.ts), read after the run. */
  events(_onEvent: (event: StackEvent) => void): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
