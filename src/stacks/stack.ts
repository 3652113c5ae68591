import type { RunningContainer } from '../engine/resources.js';
import type { ErrantTransactions, TimelineEvent } from '../measure/types.js';

// What the runner asks of a running stack, whatever its kind. Roles are dynamic ("who is primary now?")
// and always resolved from the system itself at the moment they are needed.

/** The system's own voice on the timeline (Sentinel's events, a restore of a compose stack, ...). */
export type StackEvent = Omit<TimelineEvent, 'source'> & { source: 'sentinel' | 'stack' | 'runbook' | 'detector' };

export interface StackTopology {
  primary: string | null;
  replicas: string[];
}

/** What one data node holds after the drill: for lost writes on the primary, divergence on replicas. */
export interface NodeData {
  node: string;
  container: string;
  role: 'primary' | 'replica' | 'unreachable';
  /** null when the node could not be read (dead, or killed by the drill). */
  ids: Set<number> | null;
  error?: string;
}

/** Failover procedure steps for stacks without a built-in failover manager (MySQL). */
export interface Runbook {
  /** Promote a replica: `most-advanced` by GTID, or a node by name. Throws InfraError for a bad candidate. */
  promote(opts: { candidate: string; catchUp: boolean; timeoutMs: number; signal: AbortSignal }): Promise<{ node: string; detail: string }>;
  /** Point the app and the other replicas at the current primary. */
  repoint(opts: { timeoutMs: number; signal: AbortSignal }): Promise<{ detail: string }>;
  /** One health check of the current primary (for drill's detector): true when it answered in time. */
  checkPrimary(timeoutMs: number): Promise<boolean>;
}

/** A planned change of primary, as the procedure saw it. */
export interface SwitchoverOutcome {
  /** Node names: the primary before and after. */
  from: string;
  to: string;
  /** Each step of the procedure with its time, in words (for the timeline). */
  detail: string;
}

export interface RejoinOutcome {
  /** Node names: the node brought back, and the primary it now replicates from. */
  node: string;
  primary: string;
  /** Run-clock ms when the node was seen replicating from the primary and caught up with it; null when it never was (refused, or the timeout). */
  caughtUpAtMs: number | null;
  /** null where the system has no such notion (Redis resyncs a returning master from the new one: what it alone had is the lost writes). */
  errant: ErrantTransactions | null;
  detail: string;
}

/**
 * Planned operations of the DR cycle (docs/drill-file.md "Switchover, rejoin, failback"): present on
 * stacks whose nodes drill owns. Roles are resolved from the system at the moment of the call.
 */
export interface PlannedOperations {
  /** Graceful change of primary to `to` (a node name, or 'best': the system's own choice). Throws InfraError when it cannot be done. */
  switchover(opts: { to: string; timeoutMs: number; signal: AbortSignal }): Promise<SwitchoverOutcome>;
  /** Bring `node` (a node name, or 'former-primary') back as a replica of the current primary. Throws InfraError when it cannot even be tried. */
  rejoin(opts: { node: string; errant: 'fail' | 'rebuild'; timeoutMs: number; signal: AbortSignal }): Promise<RejoinOutcome>;
}

/**
 * How a layer's own containers reach the data from inside the stack's network (the address is the
 * current primary's, asked of primary() each time). Credentials are masked in logs and reports.
 */
export type DataAccess =
  { kind: 'redis'; port: number; password?: string } | { kind: 'mysql'; port: number; user: string; password: string } | { kind: 'postgres'; port: number; user: string; password: string };

export interface Stack {
  kind: string;
  containers: RunningContainer[];
  /** The network the data nodes share: where a layer's containers join the stack (a backup store, a proxy). */
  network: string;
  /** What a layer connects to the data nodes with. */
  data: DataAccess;
  /** The fixture app's base URL on 127.0.0.1 (the first app instance). */
  appUrl: string;
  /** Every app instance's base URL (a stack may run several, e.g. one per side of a partition). */
  appUrls?: string[];
  /** The container that is the primary now, asked of the system (Sentinel for Redis, the databases for MySQL). */
  primary(): Promise<RunningContainer>;
  /** Data nodes that are replicas now (running or not), by the system's own view. */
  replicas(): Promise<RunningContainer[]>;
  /** Who is primary now and which nodes replicate, by the system's own view. */
  topology(): Promise<StackTopology>;
  /** Every write id present on the current primary. */
  readWriteIds(): Promise<Set<number>>;
  /** Read every acknowledged write back: every data node's ids, after giving replicas a bounded moment to catch up. */
  verify(opts: { catchUpTimeoutMs: number }): Promise<NodeData[]>;
  /** Start recording the system's own evidence (Sentinel events, ...) on the timeline. */
  events(onEvent: (event: StackEvent) => void): Promise<void>;
  /** Roles only this kind of stack has (patroni: leader, sync-standby, etcd-leader), resolved from the system now; null when the role is not its own. */
  resolveRole?(role: string): Promise<RunningContainer | null>;
  /** Plural roles only this kind of stack has (patroni: etcds): every node of the role; null when not its own. */
  groupRole?(role: string): RunningContainer[] | null;
  /** Present when failover is a procedure drill runs (runbook steps, or drill's detector). */
  runbook?: Runbook;
  /** Present where drill can switch over, rejoin and fail back (stacks whose nodes it owns). */
  operations?: PlannedOperations;
  /** Present where drill can add a fresh, empty data node for a restore from backup (stacks whose nodes it owns). */
  restoreHost?: RestoreHost;
  /**
   * The newest write each node has applied (its highest write id; null: none, or it did not answer within
   * timeoutMs), asked of the nodes themselves: where a standby stood at a disaster (site-loss).
   */
  lastWriteIds?(nodes: readonly RunningContainer[], timeoutMs: number): Promise<Map<string, number | null>>;
  /**
   * Make a replica open its replication connection again (MySQL: STOP/START SLAVE IO_THREAD; PostgreSQL:
   * SIGTERM to its WAL receiver), so that it goes through a network rule put in since it connected; null
   * when the node does not replicate.
   */
  reconnectReplication?(node: RunningContainer): Promise<string | null>;
  /** The primary's own view of its standbys' lag (PostgreSQL: pg_stat_replication's write/flush/replay lag), in words; null when it has none. */
  replicationLag?(primary: RunningContainer): Promise<string | null>;
  /** Close the runner's own client connections, and put back what a bring-your-own stack had (containers are removed by label, elsewhere). */
  stop(): Promise<void>;
}

/**
 * A fresh data node for a restore (docs/backup-restore.md): a new container with an empty datadir on the
 * stack's network (the old node's data is never reused), and, once loaded, made the primary the app uses.
 */
export interface RestoreHost {
  /** Start a new node and wait until it answers; the command that runs a SQL script given on stdin as the node's administrator inside it. */
  provision(opts: { timeoutMs: number; signal: AbortSignal }): Promise<RunningContainer>;
  /**
   * A new node whose server does not start until `start` (a physical restore fills its datadir first);
   * absent where a stack cannot hold its server back.
   */
  provisionHeld?(opts: { timeoutMs: number; signal: AbortSignal }): Promise<RunningContainer>;
  /** Start the server of a node from provisionHeld on the datadir the restore put in place, and wait until it answers. */
  start?(node: RunningContainer, opts: { timeoutMs: number; signal: AbortSignal }): Promise<void>;
  /** Make `node` (from provision) the primary drill knows and point the app at it; what was done, in words. */
  adopt(node: RunningContainer, opts: { timeoutMs: number; signal: AbortSignal }): Promise<string>;
}
