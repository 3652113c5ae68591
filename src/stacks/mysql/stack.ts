import { errorMessage } from '../../util/errors.js';
import { PROBE_FIRST_ID } from '../../load/probe-ids.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { DataAccess, NodeData, PlannedOperations, RestoreHost, Runbook, Stack, StackEvent, StackTopology } from '../stack.js';
import { primaryOf, probe, probeAll, target, type DbNode, type MysqlCluster, type Probe } from './cluster.js';
import { createOperations } from './operations.js';
import { createRestoreHost } from './restore-host.js';
import { createRunbook } from './runbook.js';
import type { Sql } from './sql.js';

// The running mysql-replication stack: roles asked of the databases themselves, data read back for
// verification from every node that answers.

export class MysqlReplicationStack implements Stack {
  readonly kind = 'mysql-replication';
  readonly runbook: Runbook;
  readonly operations: PlannedOperations;
  readonly restoreHost: RestoreHost;

  constructor(
    private readonly c: MysqlCluster,
    readonly containers: RunningContainer[],
  ) {
    this.runbook = createRunbook(c);
    this.operations = createOperations(c);
    this.restoreHost = createRestoreHost(c, containers);
  }

  get appUrl(): string {
    return this.c.appUrl;
  }

  get network(): string {
    return this.c.access.network;
  }

  get data(): DataAccess {
    return { kind: 'mysql', port: this.c.access.port, user: this.c.access.user, password: this.c.secrets.admin };
  }

  async primary(): Promise<RunningContainer> {
    return primaryOf(this.c, await probeAll(this.c)).container;
  }

  async replicas(): Promise<RunningContainer[]> {
    const primary = await this.primary();
    return this.c.nodes.map((n) => n.container).filter((c) => c !== primary);
  }

  async topology(): Promise<StackTopology> {
    const primary = await this.primary();
    return { primary: primary.name, replicas: this.c.nodes.map((n) => n.container.name).filter((n) => n !== primary.name) };
  }

  async readWriteIds(): Promise<Set<number>> {
    const primary = primaryOf(this.c, await probeAll(this.c));
    return this.c.sql.with(target(primary), readIds, { timeoutMs: 60_000 });
  }

  /** Each node's newest write of the declared load (the probe stream's ids are a range of their own above it). */
  async lastWriteIds(nodes: readonly RunningContainer[], timeoutMs: number): Promise<Map<string, number | null>> {
    const asked = this.c.nodes.filter((n) => nodes.some((c) => c.id === n.container.id));
    const maxIds = await Promise.all(
      asked.map((n) =>
        this.c.sql
          .with(target(n), (sql) => sql.rows(`SELECT MAX(id) AS id FROM drill.writes WHERE id < ${PROBE_FIRST_ID}`), { timeoutMs })
          .then((rows) => (rows[0]?.['id'] === null || rows[0]?.['id'] === undefined ? null : Number(rows[0]['id'])))
          .catch(() => null),
      ),
    );
    return new Map(asked.map((n, i) => [n.container.node, maxIds[i] ?? null]));
  }

  async reconnectReplication(node: RunningContainer): Promise<string | null> {
    const n = this.c.nodes.find((x) => x.container.id === node.id);
    if (!n) return null;
    return this.c.sql.with(
      target(n),
      async (sql) => {
        if ((await this.c.dialect.replicaStatus(sql)) === null) return null;
        await this.c.dialect.stopReplica(sql, 'io');
        await this.c.dialect.startReplica(sql);
        return `${node.node}: replication connection opened again (STOP SLAVE IO_THREAD; START SLAVE)`;
      },
      { timeoutMs: 10_000 },
    );
  }

  async verify(opts: { catchUpTimeoutMs: number }): Promise<NodeData[]> {
    const probes = await probeAll(this.c);
    const primary = primaryOf(this.c, probes);
    const primaryProbe = probes.find((p) => p.node === primary)!;
    const primaryPos = primaryProbe.reachable ? await this.c.sql.with(target(primary), (sql) => this.c.dialect.executedPosition(sql), { timeoutMs: 5000 }).catch(() => null) : null;
    const deadline = Date.now() + opts.catchUpTimeoutMs;
    await Promise.all(probes.filter((p) => p.reachable && p.node !== primary).map((p) => this.catchUp(p, primary, primaryPos, deadline)));
    return Promise.all(
      probes.map(async (p): Promise<NodeData> => {
        const base = { node: p.node.container.node, container: p.node.container.name };
        // Probe again: a node may have died since (or come back).
        const fresh = p.reachable ? p : await probe(this.c, p.node);
        if (!fresh.reachable) return { ...base, role: 'unreachable', ids: null, error: fresh.error ?? 'unreachable' };
        try {
          const ids = await this.c.sql.with(target(p.node), readIds, { timeoutMs: 60_000 });
          return { ...base, role: p.node === primary ? 'primary' : 'replica', ids };
        } catch (error) {
          return { ...base, role: 'unreachable', ids: null, error: errorMessage(error) };
        }
      }),
    );
  }

  /**
   * Bounded wait until a replica has applied all it received and, when it replicates from the current
   * primary, everything the primary has. A replica that cannot get there (delayed, diverged, stopped)
   * is read as it is, and the lag is logged.
   */
  private async catchUp(p: Probe, primary: DbNode, primaryPos: string | null, deadline: number): Promise<void> {
    const name = p.node.container.node;
    try {
      await this.c.sql.with(
        target(p.node),
        async (sql) => {
          let idleSeen = 0;
          for (;;) {
            const st = await this.c.dialect.replicaStatus(sql);
            if (!st || st.sqlRunning !== 'Yes') return;
            const counts = await this.c.dialect.counts(sql, st);
            // "Read all relay log" twice in a row also ends it: a transaction cut in half is never applied.
            idleSeen = /read all relay log/i.test(st.sqlState) ? idleSeen + 1 : 0;
            const drained = counts.applied >= counts.received || (st.readFile === st.execFile && st.readPos === st.execPos) || idleSeen >= 2;
            if (drained) break;
            if (Date.now() > deadline) {
              this.c.ctx.log.warn({ node: name, unapplied: counts.received - counts.applied, delaySec: st.delaySec }, 'replica still applying at the catch-up deadline: read as it is');
              return;
            }
            await new Promise((r) => setTimeout(r, 50));
          }
          const st = await this.c.dialect.replicaStatus(sql);
          if (!primaryPos || !st || st.sourceHost !== primary.container.name) return;
          const reached = await this.c.dialect.waitForPosition(sql, primaryPos, Math.max(0, deadline - Date.now()));
          if (!reached) this.c.ctx.log.warn({ node: name, primary: primary.container.node }, 'replica behind the primary at the catch-up deadline: read as it is');
        },
        { timeoutMs: Math.max(1000, deadline - Date.now() + 3000) },
      );
    } catch (error) {
      this.c.ctx.log.warn({ node: name, err: errorMessage(error) }, 'catch-up check failed: read as it is');
    }
  }

  /** No external failover manager to listen to: runbook steps and the detector report their own events. */
  async events(_onEvent: (event: StackEvent) => void): Promise<void> {}

  stop(): Promise<void> {
    this.c.sql.close();
    return Promise.resolve();
  }
}

async function readIds(sql: Sql): Promise<Set<number>> {
  const rows = await sql.rows('SELECT id FROM drill.writes', [], 60_000);
  return new Set(rows.map((r) => Number(r.id)));
}
