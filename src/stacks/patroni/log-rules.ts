import type { LogRule } from '../../measure/log-events.js';
import { SYNC_STANDBY_ON } from '../postgres/log-rules.js';

// Lines Patroni 3.0.2, PostgreSQL 15, etcd 3.4 and HAProxy 2.6 (Debian bookworm, images/patroni) write
// when the cluster changes state, read from the containers' logs after the run (docs/patroni.md).
export const PATRONI_LOG_RULES: readonly LogRule[] = [
  // Patroni's HA loop (patroni/ha.py): the leader race and the leader giving up.
  {
    pattern: /promoted self to leader by acquiring session lock|acquired session lock as a leader|promoted self to leader because I had the session lock/,
    marker: 'leader-lock-acquired',
    meaning: 'took the leader lock',
  },
  {
    pattern: /failed to update leader lock|demoted self because|demoting self because|Demoting self|lost leader lock/,
    marker: 'leader-lock-lost',
    meaning: 'lost the leader lock and demoted itself',
  },
  { pattern: /continue to run as (a leader|primary) (because failsafe|without lock|after failing)/, marker: 'failsafe-leader', meaning: 'kept running as primary without etcd' },
  // synchronous_mode (patroni/ha.py process_sync_replication): the synchronous standby dropped, a new one named.
  {
    pattern: /Updating synchronous privilege temporarily from \[[^\]]+\] to \[\]|No standbys available!/,
    marker: 'sync-standby-lost',
    meaning: 'no synchronous standby left: commits wait',
  },
  { pattern: /Assigning synchronous standby status to \['[^*]/, marker: 'sync-standby-set', meaning: 'named the synchronous standby' },
  // PostgreSQL under Patroni.
  { pattern: SYNC_STANDBY_ON, marker: 'semi-sync-on', meaning: 'PostgreSQL: a synchronous standby confirms commits' },
  { pattern: /could not receive data from WAL stream|could not connect to the primary server/, marker: 'replica-link-lost', meaning: 'replica lost its primary' },
  { pattern: /started streaming WAL from primary/, marker: 'replica-link-up', meaning: 'replica streaming from its primary' },
  { pattern: /selected new timeline ID/, marker: 'node-promoted', meaning: 'became primary (new timeline)' },
  { pattern: /database system is ready to accept connections/, marker: 'node-ready', meaning: 'server ready' },
  { pattern: /received (fast|smart|immediate) shutdown request/, marker: 'node-shutdown', meaning: 'server shutting down' },
  // etcd's raft ("raft.node: <id> elected leader <id> at term N", "lost leader <id> at term N").
  { pattern: /raft\.node: \S+ elected leader \S+ at term/, marker: 'dcs-leader-elected', meaning: 'etcd elected a leader' },
  { pattern: /raft\.node: \S+ lost leader \S+ at term/, marker: 'dcs-leader-lost', meaning: 'etcd lost its leader' },
  // HAProxy's write backend ("Server primary/pg-2 is UP, reason: Layer7 check passed ...").
  { pattern: /Server primary\/\S+ is UP/, marker: 'proxy-server-up', meaning: 'HAProxy routes writes to it' },
  { pattern: /Server primary\/\S+ is DOWN/, marker: 'proxy-server-down', meaning: 'HAProxy stopped routing writes to it' },
];
