import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsFromLogs } from '../../src/measure/log-events.js';
import { explainPatroniFailover } from '../../src/measure/patroni-failover.js';
import type { NodeLog } from '../../src/measure/types.js';
import { faultShape } from '../../src/run/patroni-explain.js';
import { parseDrillText } from '../../src/spec/load-drill.js';
import { haproxyConfig, patroniConfig } from '../../src/stacks/patroni/config.js';
import { PATRONI_LOG_RULES } from '../../src/stacks/patroni/log-rules.js';
import { majorityLeader } from '../../src/stacks/patroni/rest-api.js';
import type { PatroniStackSpec } from '../../src/spec/schema.js';

// The patroni stack's pure parts: its configuration, the leader most nodes name, its log rules on lines
// as Patroni 3.0.2, PostgreSQL 15, etcd 3.4 and HAProxy 2.6 wrote them in real drills here, and the
// failover explained by ttl/loop_wait.

const drill = (stack: string, steps: string) =>
  parseDrillText(`name: t\ndescription: t\nstack:\n${stack}\nload: { rate: 10, duration: 10s }\nsteps:\n${steps}\n  - waitFor: recovered\n    timeout: 10s\nobjectives: { rto: 5s }\n`, 't.yaml');
const PATRONI = '  kind: patroni\n  patroni: { ttl: 6s, loopWait: 1s, retryTimeout: 2s }';

describe('patroni stack', () => {
  it("refuses settings that break Patroni's loop_wait + 2 × retry_timeout ≤ ttl, and fractional seconds", () => {
    assert.throws(() => drill('  kind: patroni\n  patroni: { ttl: 6s, loopWait: 2s, retryTimeout: 3s }', '  - { at: 1s, fault: kill, target: leader }'), /loopWait \+ 2 × retryTimeout ≤ ttl/);
    assert.throws(() => drill('  kind: patroni\n  patroni: { ttl: 6500ms }', '  - { at: 1s, fault: kill, target: leader }'), /whole seconds/);
    assert.throws(() => drill(PATRONI, '  - { at: 1s, fault: kill, target: db-1 }'), /"db-…" nodes are in mysql-replication stacks/);
  });

  it('writes the DCS settings into bootstrap.dcs and routes HAProxy on /primary and /replica', () => {
    const spec = drill(PATRONI, '  - { at: 1s, fault: kill, target: leader }').stack as PatroniStackSpec;
    const yaml = patroniConfig(spec, 'pg-1', 'drill-x-pg-1', ['drill-x-etcd-1', 'drill-x-etcd-2'], { superuser: 's', replication: 'r', app: 'a' });
    assert.match(yaml, /\n {4}ttl: 6\n {4}loop_wait: 1\n {4}retry_timeout: 2\n/);
    assert.match(yaml, /hosts: drill-x-etcd-1:2379,drill-x-etcd-2:2379/);
    const cfg = haproxyConfig(spec, [{ name: 'pg-1', container: 'drill-x-pg-1' }]);
    assert.match(cfg, /listen primary\n {2}bind :5000\n {2}option httpchk OPTIONS \/primary/);
    assert.match(cfg, /server pg-1 drill-x-pg-1:5432 check port 8008/);
    assert.match(cfg, /on-marked-down shutdown-sessions/);
  });

  it('names the leader most nodes agree on; a cut-off node naming itself is outvoted', () => {
    const view = (leader: string) => [
      { name: 'pg-1', role: leader === 'pg-1' ? 'leader' : 'replica', state: 'running' },
      { name: 'pg-2', role: leader === 'pg-2' ? 'leader' : 'replica', state: 'running' },
    ];
    assert.equal(majorityLeader([view('pg-1'), view('pg-2'), view('pg-2')]).leader, 'pg-2');
    assert.equal(majorityLeader([null, null]).leader, null);
  });

  it("turns Patroni's, etcd's and HAProxy's own lines into events", () => {
    const log = (node: string, texts: string[]): NodeLog => ({ node, container: `drill-x-${node}`, truncated: false, lines: texts.map((text, i) => ({ atMs: 1000 + i, stamp: 's', text })) });
    const events = eventsFromLogs(
      [
        log('pg-2', [
          '2026-12-03 13:07:41,339 INFO: promoted self to leader by acquiring session lock',
          '2026-12-03 13:07:41.447 UTC [84] LOG:  selected new timeline ID: 2',
          '2026-12-03 13:11:01,115 INFO: demoting self because DCS is not accessible and I was a leader',
          '2026-12-03 13:17:22,568 INFO: continue to run as a leader because failsafe mode is enabled and all members are accessible',
        ]),
        log('pg-1', [
          "2026-12-03 16:28:31,615 INFO: Updating synchronous privilege temporarily from ['pg-3'] to []",
          "2026-12-03 16:28:31,665 INFO: Assigning synchronous standby status to ['pg-2']",
          '2026-12-03 16:28:31.880 UTC [140] LOG:  standby "pg-2" is now a synchronous standby with priority 1',
          "2026-12-03 16:28:33,846 INFO: Synchronous standby status assigned to ['pg-2']",
          '2026-12-03 16:30:17,780 WARNING: No standbys available!',
          "2026-12-03 16:30:17,780 INFO: Assigning synchronous standby status to ['*']",
        ]),
        log('etcd-1', [
          'raft2026/12/03 13:14:38 INFO: raft.node: d992999ba93a126 lost leader d992999ba93a126 at term 2',
          'raft2026/12/03 13:14:46 INFO: raft.node: d992999ba93a126 elected leader d992999ba93a126 at term 7',
        ]),
        log('haproxy-1', [
          '[WARNING]  (7) : Server primary/pg-3 is DOWN, reason: Layer4 timeout, check duration: 501ms.',
          '[WARNING]  (7) : Server replicas/pg-2 is DOWN, reason: Layer7 wrong status',
          '[WARNING]  (7) : Server primary/pg-2 is UP, reason: Layer7 check passed',
        ]),
      ],
      PATRONI_LOG_RULES,
    );
    assert.deepEqual(
      events.map((e) => `${e.log!.node} ${e.marker}`),
      [
        'pg-2 leader-lock-acquired',
        'pg-2 node-promoted',
        'pg-2 leader-lock-lost',
        'pg-2 failsafe-leader',
        'pg-1 sync-standby-lost',
        'pg-1 sync-standby-set',
        'pg-1 semi-sync-on',
        'pg-1 sync-standby-lost',
        'etcd-1 dcs-leader-lost',
        'etcd-1 dcs-leader-elected',
        'haproxy-1 proxy-server-down',
        'haproxy-1 proxy-server-up',
      ],
    );
  });

  it('knows a leader kill, a leader partition and an etcd majority loss from the steps', () => {
    assert.equal(faultShape(drill(PATRONI, '  - { at: 1s, fault: kill, target: leader }')), 'leader-down');
    assert.equal(faultShape(drill(PATRONI, '  - { at: 1s, fault: partition, groups: [[leader, haproxy, app], [replicas, etcds]], duration: 2s }')), 'leader-isolated');
    assert.equal(faultShape(drill(PATRONI, '  - { at: 1s, fault: kill, target: etcd-2, duration: 2s }\n  - { at: 1100ms, fault: kill, target: etcd-3, duration: 2s }')), 'dcs-lost');
    assert.equal(faultShape(drill(PATRONI, '  - { at: 1s, fault: kill, target: etcd-2 }')), 'other');
  });

  it('explains a failover by ttl and loop_wait: expected bounds next to the times the logs give', () => {
    const timings = { ttlMs: 6000, loopWaitMs: 1000, retryTimeoutMs: 2000, failsafeMode: false, proxyInterMs: 500, proxyRise: 1 };
    const events = [
      { atMs: 8327.8, source: 'log' as const, message: 'pg-2: took the leader lock', marker: 'leader-lock-acquired' as const, log: { node: 'pg-2', line: 40 } },
      { atMs: 8662.7, source: 'log' as const, message: 'haproxy-1: up', marker: 'proxy-server-up' as const, log: { node: 'haproxy-1', line: 12 } },
    ];
    const f = explainPatroniFailover(timings, 'leader-down', 2055.7, events, { rtoMs: 6580, lostAckedAfterFault: 0, lastLostAckAtMs: null });
    assert.deepEqual(f.lockTaken, { expected: { lowMs: 5000, highMs: 7000 }, measuredMs: 6272, node: 'pg-2' });
    assert.equal(f.demoted.expected, null);
    assert.equal(f.proxyUpMs, 6607);
    assert.match(f.text, /took the leader lock 6\.3 s after the fault/);
    const cut = explainPatroniFailover(timings, 'leader-isolated', 7232, [], { rtoMs: null, lostAckedAfterFault: 887, lastLostAckAtMs: 12195.9 });
    assert.deepEqual(cut.demoted.expected, { lowMs: 0, highMs: 3000 });
    assert.deepEqual(cut.ackedAfterFault, { lost: 887, lastAckMs: 4964 });
    assert.match(cut.text, /no node logged demoting itself/);
  });
});
