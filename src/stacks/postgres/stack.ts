import { InfraError, errorMessage } from '../../util/errors.js';
import { exec } from '../../engine/docker-exec.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { DataAccess, NodeData, PlannedOperations, Runbook, Stack, StackEvent, StackTopology } from '../stack.js';
import { lsnText, primaryOf, probe, probeAll, psql, readIds, type PgCluster, type Probe } from './cluster.js';
import { rejoin } from './rejoin.js';
import { createRunbook } from './runbook.js';
import { ADMIN_USER, PG_PORT } from './server-script.js';
import { switchover } from './switchover.js';

// The running postgres stack: roles asked of the nodes themselves (pg_is_in_recovery), data read back for
// verification from every node that answers, after the standbys had a bounded moment to replay.

export class PostgresStack implements Stack {
  readonly kind = 'postgres';
  readonly runbook: Runbook;
  readonly operations: PlannedOperations;

  constructor(
    private readonly c: PgCluster,
    readonly containers: RunningContainer[],
  ) {
    this.runbook = createRunbook(c);
    this.operations = { rejoin: (opts) => rejoin(c, opts), switchover: (opts) => switchover(c, opts) };
  }

  get appUrl(): string {
    return this.c.appUrl;
  }

  get network(): string {
    return this.c.network;
  }

  get data(): DataAccess {
    return { kind: 'postgres', port: PG_PORT, user: ADMIN_USER, password: this.c.secrets.admin };
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
    return readIds(this.c, primaryOf(this.c, await probeAll(this.c)));
  }

  async verify(opts: { catchUpTimeoutMs: number }): Promise<NodeData[]> {
    const probes = await probeAll(this.c);
    const primary = primaryOf(this.c, probes);
    const primaryProbe = probes.find((p) => p.node === primary)!;
    const deadline = Date.now() + opts.catchUpTimeoutMs;
    if (primaryProbe.reachable) await Promise.all(probes.filter((p) => p.reachable && p.node !== primary).map((p) => this.catchUp(p, primaryProbe.replayedLsn, deadline)));
    return Promise.all(
      probes.map(async (p): Promise<NodeData> => {
        const base = { node: p.node.container.node, container: p.node.container.name };
        // Probe again: a node may have died since (or come back).
        const fresh = p.reachable ? p : await probe(this.c, p.node);
        if (!fresh.reachable) return { ...base, role: 'unreachable', ids: null, error: fresh.error ?? 'unreachable' };
        try {
          return { ...base, role: p.node === primary ? 'primary' : 'replica', ids: await readIds(this.c, p.node) };
        } catch (error) {
          return { ...base, role: 'unreachable', ids: null, error: errorMessage(error) };
        }
      }),
    );
  }

  /** Bounded wait until a standby has replayed the primary's position; one that cannot (diverged, not streaming) is read as it is. */
  private async catchUp(p: Probe, target: number, deadline: number): Promise<void> {
    const name = p.node.container.node;
    let last = p;
    while (last.reachable && last.inRecovery && last.replayedLsn < target) {
      if (Date.now() > deadline) {
        this.c.ctx.log.warn({ node: name, replayed: lsnText(last.replayedLsn), primary: lsnText(target) }, 'standby behind the primary at the catch-up deadline: read as it is');
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
      last = await probe(this.c, p.node);
    }
  }

  /**
   * A standby only listens on its replication connection: one cut on the primary's side (a latency link
   * resets it there) goes unnoticed until its next status message (wal_receiver_status_interval, 10 s), and
   * a synchronous primary's commits wait all that time. Stopping its WAL receiver (SIGTERM, inside the
   * node) makes the startup process open a new connection at once, through the rules now in place.
   */
  async reconnectReplication(node: RunningContainer): Promise<string | null> {
    const n = this.c.nodes.find((x) => x.container.id === node.id);
    if (!n) return null;
    const pid = Number((await psql(this.c, n, 'SELECT pid FROM pg_stat_wal_receiver'))[0]?.[0]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const res = await exec(this.c.ctx.docker, n.container.id, ['kill', '-TERM', String(pid)], { timeoutMs: 5000 });
    // Gone in the meantime: the reset did reach it, and the standby is connecting again by itself.
    if (res.code !== 0 && /No such process/.test(res.stderr)) return `${node.node}: its WAL receiver (pid ${pid}) had already ended; the standby connects again`;
    if (res.code !== 0) throw new InfraError(`${node.node}: stopping its WAL receiver (pid ${pid}): ${res.stderr.trim()}`);
    return `${node.node}: WAL receiver (pid ${pid}) stopped with SIGTERM; the standby connects again`;
  }

  async replicationLag(primary: RunningContainer): Promise<string | null> {
    const n = this.c.nodes.find((x) => x.container.id === primary.id);
    if (!n) return null;
    const ms = (col: string) => `coalesce(round(extract(epoch FROM ${col}) * 1000, 1)::text, '-')`;
    const rows = await psql(this.c, n, `SELECT application_name, sync_state, ${ms('write_lag')}, ${ms('flush_lag')}, ${ms('replay_lag')} FROM pg_stat_replication ORDER BY 1`, 3000);
    if (rows.length === 0) return null;
    // '-': no WAL to time lately (the lag columns are null on an idle standby).
    return rows.map(([name, state, w, f, r]) => `${name} (${state}) write ${w} ms, flush ${f} ms, replay ${r} ms`).join('; ');
  }

  /** No external failover manager to listen to: the servers' own log lines (log-rules.ts) and the runbook steps are the evidence. */
  async events(_onEvent: (event: StackEvent) => void): Promise<void> {}

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
