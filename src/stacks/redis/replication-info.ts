// INFO replication, as Redis answers it, read into the few fields drill acts on. Pure: the planned
// operations (switchover, rejoin) poll it and decide from these fields.

export interface ReplicationInfo {
  role: 'master' | 'slave' | 'unknown';
  /** A replica's master as it was given to it (drill gives IPs); null on a master. */
  masterHost: string | null;
  masterPort: number | null;
  /** A replica's link to its master is up (master_link_status:up); false on a master. */
  linkUp: boolean;
  /** The node's own replication offset: a master's master_repl_offset, a replica's slave_repl_offset (NaN when absent). */
  offset: number;
  /** master_repl_offset as the node reports it (a replica reports the offset it has received). */
  masterReplOffset: number;
  /** A replica's replica-priority (0: Sentinel never promotes it); null on a master. */
  priority: number | null;
  /** A master's replicas as it lists them (slave0:ip=...,state=online,offset=...). */
  replicas: { ip: string; port: number; state: string; offset: number }[];
}

function fields(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) out.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return out;
}

const num = (value: string | undefined): number => (value === undefined || value === '' ? NaN : Number(value));

export function parseReplicationInfo(info: string): ReplicationInfo {
  const f = fields(info);
  const role = f.get('role');
  const replicas: ReplicationInfo['replicas'] = [];
  for (const [key, value] of f) {
    if (!/^slave\d+$/.test(key)) continue;
    const kv = new Map(value.split(',').map((pair) => pair.split('=') as [string, string]));
    replicas.push({ ip: kv.get('ip') ?? '', port: num(kv.get('port')), state: kv.get('state') ?? '', offset: num(kv.get('offset')) });
  }
  const slave = role === 'slave';
  return {
    role: role === 'master' || role === 'slave' ? role : 'unknown',
    masterHost: slave ? (f.get('master_host') ?? null) : null,
    masterPort: slave ? num(f.get('master_port')) : null,
    linkUp: slave && f.get('master_link_status') === 'up',
    offset: slave ? num(f.get('slave_repl_offset')) : num(f.get('master_repl_offset')),
    masterReplOffset: num(f.get('master_repl_offset')),
    priority: slave ? num(f.get('slave_priority') ?? f.get('replica_priority')) : null,
    replicas,
  };
}

/** A replica that replicates from `masterIp`, with its link up, has everything the master had at `masterOffset`. */
export function caughtUpWith(replica: ReplicationInfo, masterIp: string, masterOffset: number): boolean {
  return replica.role === 'slave' && replica.masterHost === masterIp && replica.linkUp && Number.isFinite(masterOffset) && replica.offset >= masterOffset;
}

/** The fields a person needs when a wait ends badly, in one line. */
export function describeReplication(info: ReplicationInfo | null): string {
  if (!info) return 'no answer';
  if (info.role !== 'slave') return `role:${info.role}, offset ${info.offset}`;
  return `role:slave of ${info.masterHost ?? '?'}, link ${info.linkUp ? 'up' : 'down'}, offset ${info.offset}`;
}
