// What a layer adds to result.json (`layers`): its containers, its own records and its checks. A
// discriminated union over `kind`, so the reports switch on it exhaustively.

/** One thing a layer checked. ok false fails the drill (exit 1) like a missed objective. */
export interface LayerCheck {
  /** Stable name, for JUnit and history: never includes a threshold. */
  name: string;
  ok: boolean;
  /** The declared bound, in words, when the check has one. */
  declared?: string;
  /** The measured figure, in words. */
  measured?: string;
  /** What was checked and what was found. */
  detail: string;
}

export type BackupMethod = 'rdb' | 'aof' | 'dump' | 'physical';

/** A physical backup's place in its chain and what mariadb-backup recorded (xtrabackup_checkpoints, xtrabackup_info). */
export interface PhysicalBackupInfo {
  type: 'full' | 'incremental';
  /** The backup an incremental holds the changes since (null for a full one). */
  baseSeq: number | null;
  /** InnoDB LSNs: an incremental's fromLsn is its base's toLsn (the chain's link). */
  fromLsn: number;
  toLsn: number;
  lastLsn: number;
  /** The primary's binlog position and GTID at the backup's consistent point: where a replay starts. */
  binlogFile: string | null;
  binlogPos: number | null;
  gtid: string | null;
}

export interface BackupRecord {
  seq: number;
  /** The node it was taken from (the primary at that moment). */
  node: string;
  /** Run-clock ms: the backup command was started / returned. The snapshot point lies between. */
  startedAtMs: number;
  endedAtMs: number;
  ok: boolean;
  bytes: number | null;
  file: string | null;
  /** SHA-256 of the file as written (absent in results before the bad-backup faults). */
  sha256?: string | null;
  /** Run-clock ms when retention deleted it from the store. */
  deletedAtMs?: number;
  error?: string;
  /** method physical only. */
  physical?: PhysicalBackupInfo;
}

export interface RestoreRecord {
  seq: number;
  file: string;
  /** Wall time from starting the scratch server on the backup to the data being readable, in ms. */
  restoreMs: number;
  /** Write ids the restored backup holds; null when the restore failed. */
  writes: number | null;
  /** Newer backups passed over because their checksum no longer matched. */
  skipped?: { seq: number; why: string }[];
  error?: string;
}

/** One sample of the archive's lag. */
export interface ArchiveSample {
  atMs: number;
  node: string;
  /** The primary's current binlog file and position (SHOW MASTER STATUS); null when it did not answer. */
  file: string | null;
  primaryPos: number | null;
  /** Bytes of that file in the store. */
  archivedBytes: number | null;
  /** primaryPos − archivedBytes: 0 when the archive holds everything the primary has logged. */
  lagBytes: number | null;
  /** The archiver was (re)started by this check. */
  started: boolean;
  error?: string;
}

export type RestorePhase = 'restore-provision' | 'restore-copy' | 'restore-load' | 'restore-prepare' | 'restore-start' | 'restore-replay' | 'restore-repoint';

/** A `restore` runbook step: a fresh node loaded from a backup and the binlog archive, made the primary (docs/backup-restore.md). */
export interface DisasterRestoreRecord {
  /** Run-clock ms: the step started / returned (the app pointed at the restored node). */
  startedAtMs: number;
  endedAtMs: number;
  /** The node provisioned for it (db-3), null if provisioning failed. */
  node: string | null;
  backupSeq: number;
  backupStartedAtMs: number;
  /** "latest", or "before <name> (GTID …)". */
  target: string;
  /** The last GTID replayed on purpose (the one before the mistake's), null for latest. */
  stopGtid: string | null;
  /** The GTID position the backup holds (from the dump), where the replay starts. */
  backupGtid: string | null;
  lastReplayedGtid: string | null;
  replayedTransactions: number;
  /** Bytes of the tar streams copied from the store to the new node. */
  copiedBytes: number;
  phases: { name: RestorePhase; startedAtMs: number; endedAtMs: number; detail: string }[];
  /** The first write the restored node acknowledged (the first ok write sent after the repoint), from the load's history. */
  firstGoodWriteAtMs: number | null;
  /** From the step's start to that write. */
  restoreTimeMs: number | null;
  /**
   * The first read after the repoint that found old data: a key's version that was acknowledged before the
   * disaster (load.reads; absent when the drill reads nothing). The restore's RTO as a reader sees it.
   */
  firstGoodReadAtMs?: number | null;
  /** From the step's start to that read. */
  readRestoreTimeMs?: number | null;
  /** Write ids on the restored node when the drill read it back (the run's verification). */
  writes: number | null;
  /** Newer backups the restore found unusable and passed over (their checksum no longer matched), newest first. */
  skipped?: { seq: number; why: string }[];
  /** A physical restore: the chain applied, full first, with its LSNs (each incremental's fromLsn is the toLsn before it). */
  chain?: { seq: number; type: 'full' | 'incremental'; fromLsn: number; toLsn: number; bytes: number | null }[];
  /** A gap in the archived binlog chain: the replay stopped before it; what came after is lost. */
  chainGap?: ChainGap | null;
  /** CHECKSUM TABLE of the restored rows against the rows drill saw acknowledged before the recovery point, after the load. */
  checksum?: TableChecksum | null;
  /** A restore to a time: the instant asked (run-clock ms) and the whole second the replay stopped at (binlog timestamps are whole seconds). */
  stopAtMs?: number | null;
  /** Redis AOF restore before a mistake: where the copied AOF was cut (aof-backup.ts). */
  aofCut?: AofCut | null;
  error?: string;
}

/** A `restore-check` runbook step: the newest usable backup restored into a scratch node under the load, read back, the node removed. */
export interface RestoreCheckRecord {
  /** Run-clock ms: the step started / the scratch node was removed. */
  startedAtMs: number;
  endedAtMs: number;
  /** The scratch container's name. */
  node: string;
  backupSeq: number | null;
  backupStartedAtMs: number | null;
  /** The backup's size in the store, and the bytes of the tar streams copied to the scratch node. */
  backupBytes: number | null;
  copiedBytes: number;
  /** From the step's start to the data read back on the scratch node (provision, copy, checksum, load, read). */
  restoreMs: number | null;
  /** Write ids the scratch node held. */
  rows: number | null;
  /** MariaDB/MySQL: CHECKSUM TABLE drill.writes on the scratch node; null for Redis. */
  checksum: string | null;
  /** After the load: writes acknowledged before the backup started that the scratch node did not hold (null: not read). */
  missing?: number | null;
  skipped: { seq: number; why: string }[];
  /** The scratch container was removed (nothing of it left). */
  removed: boolean;
  error?: string;
}

/** What the AOF cut of a Redis restore did: where the mistake's command was found, and what was kept. */
export interface AofCut {
  /** The incr file cut, and the byte offset of the mistake's command in it (the file's new size); null when not found. */
  file: string | null;
  offset: number | null;
  /** The command found, as written in the file; null when the backup does not hold the mistake (taken before it). */
  command: string | null;
  bytesDropped: number;
  /** Commands kept in the incr files (the base file's snapshot is kept whole). */
  commandsKept: number;
}

export interface TableChecksum {
  /** Which writes are expected, in words ("acknowledged before the disaster at 6007 ms"). */
  basis: string;
  expectedRows: number;
  /** Of those, the rows drill.writes on the restored node holds. */
  restoredRows: number;
  /** CHECKSUM TABLE of the expected rows and of the restored ones (the server's own checksum), null if not read. */
  expected: string | null;
  restored: string | null;
  match: boolean;
}

export interface ChainGap {
  /** The archived files missing between the last one replayed and the next one the archive has. */
  missing: string[];
  /** The last archived file replayed, and the first one after the gap (not replayed). */
  lastFile: string;
  nextFile: string;
  /** The binlog time of the last event replayed (whole seconds, run-clock ms): writes acknowledged after it are lost to the gap. */
  lastEventAtMs: number | null;
}

export interface BackupLayerResult {
  kind: 'backup';
  method: BackupMethod;
  everyMs: number;
  keep: number;
  containers: { name: string; role: string; image: string }[];
  backups: BackupRecord[];
  restore: RestoreRecord | null;
  /** Acknowledged writes (before the first fault) a restore of that backup would lose, and the window they span. */
  lostIfRestored: number | null;
  restoreRpoMs: number | null;
  // Absent in results written before issue 13's restore slice.
  /** Binlog archiving: on, and the archive's lag samples (primary's binlog position vs the archived file), every second. */
  binlogArchive?: { samples: ArchiveSample[] } | null;
  /** At the disaster (the first fault): the age of the newest usable backup (from its start), and how long before the disaster the archive was last seen caught up (0 bytes behind). */
  backupAgeMs?: number | null;
  archiveAgeMs?: number | null;
  /** The `restore` runbook steps carried out, in order. */
  restores?: DisasterRestoreRecord[];
  /** In words: how the scheme explains the measured loss ("newest backup 4.1 s old; binlog archive caught up 0.4 s before; lost 0"). */
  rpoExplained?: string | null;
  /** The `restore-check` runbook steps carried out, in order. */
  restoreChecks?: RestoreCheckRecord[];
  checks: LayerCheck[];
}

/** One alert (by name and node) as Prometheus and Alertmanager saw it; times are run-clock ms, null when it did not happen. */
export interface AlertRecord {
  name: string;
  /** Its `node` label (the data node or app instance the series came from), null when the rule drops it. */
  node: string | null;
  /** Prometheus's first evaluation that found the condition true (its first ALERTS sample, pending); null for a rule without `for:`, which fires at once. */
  pendingAtMs: number | null;
  /** The evaluation at which `for:` had elapsed (the startsAt Prometheus gave Alertmanager). */
  firingAtMs: number | null;
  /** When drill's webhook receiver got Alertmanager's first "firing" notification of it (when a team would be told); with your own Alertmanager, when drill's polling first saw it there. */
  notifiedAtMs: number | null;
  /** The evaluation at which the condition cleared (the endsAt of the resolved notification). */
  resolvedAtMs: number | null;
  /** When the receiver got the "resolved" notification. */
  resolveNotifiedAtMs: number | null;
}

export interface MonitoringLayerResult {
  kind: 'monitoring';
  /** drill's own Prometheus and Alertmanager, or yours (read-only). */
  watching: 'drill' | 'yours';
  /** Yours: Alertmanager's API was polled this often (notifiedAtMs is when an alert was first seen there); drill's: null (a webhook). */
  pollMs: number | null;
  containers: { name: string; role: string; image: string }[];
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  groupWaitMs: number;
  /** The rule files loaded (base names) and the alerting rules they define, with `for:` as written. */
  ruleFiles: string[];
  rules: { name: string; for: string | null }[];
  /** Every alert that went pending or fired during the drill, in order of first sight. */
  alerts: AlertRecord[];
  /** Run-clock ms of the drill's first event, a fault or a planned switchover (the start of MTTD), and of the writes' recovery after it (the start of resolvesWithin). */
  faultAtMs: number | null;
  recoveredAtMs: number | null;
  /** How wide that event's instant is (a fault call's duration; 0 for a switchover, timed from its start): the precision of every MTTD. */
  precisionMs: number;
  checks: LayerCheck[];
}

/** One fault against the front door: the setting that governs it, what it predicts, and what happened. */
export interface LbExplainRow {
  /** The fault and the node it hit ("kill lb-1", "kill-process lb-1"). */
  fault: string;
  /** The configuration that decides the time, in words. */
  setting: string;
  /** What that configuration predicts, in words. */
  expected: string;
  /** The predicted range, when the configuration bounds it. */
  expectedMs: { lowMs: number; highMs: number } | null;
  /** From the fault to the VIP on another node (seen in that node's namespace); null: it never moved (or the fault was not about the VIP). */
  vipMovedMs: number | null;
  /** From the fault to the proxy marking the app instance down. */
  removedMs?: number | null;
  /** Split brain: how long both nodes held the VIP after this fault, in all. */
  splitBrainMs?: number;
  /** Client-visible: from the fault to the writes' recovery; null when they never recovered. */
  clientRtoMs: number | null;
  detail: string;
}

export interface LbVipLayerResult {
  kind: 'lb-vip';
  proxy: 'haproxy' | 'nginx';
  vip: string;
  /** apps: the load entered through the VIP; database: the app's database pool did (HAProxy routing writes to the writable node); redis: the app's Redis client did (HAProxy routing to the node with role:master). */
  front: 'apps' | 'database' | 'redis';
  /** front: apps: how the load reached the VIP, from the runner's host straight or through the forwarder published on 127.0.0.1; null for the other fronts. Absent in results written before it existed. */
  reach?: 'direct' | 'forwarder' | null;
  /** The proxy on the VIP (http://VIP:80, mysql://VIP:3306, redis://VIP:6379). Absent in results written before it existed. */
  vipUrl?: string;
  /** Where the load entered (the VIP, or the forwarder to it on 127.0.0.1), or where the app's client connected (the VIP). */
  loadUrl: string;
  containers: { name: string; role: string; image: string }[];
  /** What is behind the proxies (node names): the app instances, or the database nodes. */
  backends: string[];
  keepalived: { advertIntMs: number; priorities: [number, number]; preempt: boolean; trackProxy: boolean; trackIntervalMs: number; trackFall: number };
  healthCheck: { interMs: number; fall: number; rise: number; timeoutMs: number };
  /** Keepalived's state changes, as each node logged them (run-clock ms). */
  vrrp: { node: string; atMs: number; state: 'MASTER' | 'BACKUP' | 'FAULT'; detail: string }[];
  /** Who held the VIP (ip monitor in each node's namespace), window by window, from the first election to the end of the load. */
  holders: { fromMs: number; toMs: number; nodes: string[] }[];
  /** Windows where both nodes held the VIP (VRRP split brain), and their sum. */
  splitBrain: { windows: { fromMs: number; toMs: number }[]; totalMs: number };
  /** The proxies' server UP/DOWN (HAProxy's checks; Nginx's passive max_fails). */
  backendStates: { lb: string; server: string; atMs: number; up: boolean; detail: string }[];
  /** Requests each app instance answered, per second, from each app's own counters (polled once a second). */
  served: { atMs: number; perBackend: Record<string, number | null> }[];
  /**
   * What each LB node's HAProxy sent each server, per second, from its own counters (stats socket, read
   * inside the node every `everyMs` and stamped there): requests with front: apps, sessions (connections)
   * with the TCP fronts. Null with Nginx. Absent in results written before it existed.
   */
  proxyServed?: { everyMs: number; unit: 'requests' | 'sessions'; samples: { lb: string; atMs: number; perBackend: Record<string, number> }[] } | null;
  explain: LbExplainRow[];
  checks: LayerCheck[];
}

export type LayerResult = BackupLayerResult | MonitoringLayerResult | LbVipLayerResult;
