import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caughtUpWith, parseReplicationInfo } from '../../src/stacks/redis/replication-info.js';
import { PrimaryHistory, parseSwitchMaster } from '../../src/stacks/redis-sentinel/primary-history.js';
import { chooseSwitchoverTarget, type Candidate, type NodeLike } from '../../src/stacks/redis-sentinel/switchover-target.js';

// The pure decisions of the Redis switchover and rejoin, on INFO replication text as Redis 7 prints it.

const MASTER_INFO = [
  '# Replication',
  'role:master',
  'connected_slaves:2',
  'slave0:ip=172.19.0.3,port=6379,state=online,offset=4242,lag=0',
  'slave1:ip=172.19.0.4,port=6379,state=wait_bgsave,offset=0,lag=1',
  'master_failover_state:no-failover',
  'master_replid:c4b49b916d2ba880edad860896cd9e982e53f58c',
  'master_repl_offset:4300',
  'second_repl_offset:-1',
  '',
].join('\r\n');

function replicaInfo(masterHost: string, link: 'up' | 'down', offset: number, priority = 100): string {
  return [
    '# Replication',
    'role:slave',
    `master_host:${masterHost}`,
    'master_port:6379',
    `master_link_status:${link}`,
    `slave_read_repl_offset:${offset}`,
    `slave_repl_offset:${offset}`,
    `slave_priority:${priority}`,
    'slave_read_only:1',
    'connected_slaves:0',
    `master_repl_offset:${offset}`,
    '',
  ].join('\r\n');
}

describe('parseReplicationInfo', () => {
  it('reads a master: its offset and its replicas', () => {
    const info = parseReplicationInfo(MASTER_INFO);
    assert.equal(info.role, 'master');
    assert.equal(info.offset, 4300);
    assert.equal(info.masterHost, null);
    assert.equal(info.linkUp, false);
    assert.equal(info.priority, null);
    assert.deepEqual(info.replicas, [
      { ip: '172.19.0.3', port: 6379, state: 'online', offset: 4242 },
      { ip: '172.19.0.4', port: 6379, state: 'wait_bgsave', offset: 0 },
    ]);
  });

  it('reads a replica: its master, link, own offset and priority', () => {
    const info = parseReplicationInfo(replicaInfo('172.19.0.2', 'up', 4299, 0));
    assert.equal(info.role, 'slave');
    assert.equal(info.masterHost, '172.19.0.2');
    assert.equal(info.masterPort, 6379);
    assert.equal(info.linkUp, true);
    assert.equal(info.offset, 4299);
    assert.equal(info.priority, 0);
  });

  it('says unknown for an answer that is not INFO replication', () => {
    const info = parseReplicationInfo('');
    assert.equal(info.role, 'unknown');
    assert.ok(Number.isNaN(info.offset));
  });
});

describe('caughtUpWith', () => {
  const master = '172.19.0.2';
  it('needs the right master, the link up and the offset reached', () => {
    assert.equal(caughtUpWith(parseReplicationInfo(replicaInfo(master, 'up', 4300)), master, 4300), true);
    assert.equal(caughtUpWith(parseReplicationInfo(replicaInfo(master, 'up', 4299)), master, 4300), false);
    assert.equal(caughtUpWith(parseReplicationInfo(replicaInfo(master, 'down', 5000)), master, 4300), false);
    assert.equal(caughtUpWith(parseReplicationInfo(replicaInfo('172.19.0.9', 'up', 5000)), master, 4300), false);
    assert.equal(caughtUpWith(parseReplicationInfo(MASTER_INFO), master, 0), false);
    assert.equal(caughtUpWith(parseReplicationInfo(replicaInfo(master, 'up', 4300)), master, NaN), false);
  });
});

describe('chooseSwitchoverTarget', () => {
  const n = (i: number): NodeLike => ({ node: `redis-${i}`, name: `drill-x-redis-${i}`, ip: `10.0.0.${i}` });
  const [r1, r2, r3] = [n(1), n(2), n(3)];
  const c = (node: NodeLike, info: string | null): Candidate<NodeLike> => ({ node, info: info === null ? null : parseReplicationInfo(info) });
  const healthy = [c(r2, replicaInfo(r1.ip, 'up', 10)), c(r3, replicaInfo(r1.ip, 'up', 10))];

  it('best: every linked replica with a priority is eligible, none lowered', () => {
    assert.deepEqual(chooseSwitchoverTarget('best', r1, healthy), { target: null, eligible: [r2, r3], lower: [] });
  });

  it('best: leaves out a replica whose link is down, of another master, or at priority 0', () => {
    const mixed = [c(r2, replicaInfo(r1.ip, 'down', 10)), c(r3, replicaInfo(r1.ip, 'up', 10, 0))];
    const none = chooseSwitchoverTarget('best', r1, mixed);
    assert.ok('error' in none && /no replica of redis-1 can be promoted/.test(none.error), JSON.stringify(none));
    const one = chooseSwitchoverTarget('best', r1, [c(r2, replicaInfo('10.0.0.7', 'up', 10)), c(r3, replicaInfo(r1.ip, 'up', 10))]);
    assert.deepEqual(one, { target: null, eligible: [r3], lower: [] });
  });

  it('a named node: it alone is eligible and the other replicas are lowered', () => {
    assert.deepEqual(chooseSwitchoverTarget('redis-3', r1, healthy), { target: r3, eligible: [r3], lower: [r2] });
    // A failback names the container.
    assert.deepEqual(chooseSwitchoverTarget('drill-x-redis-2', r1, healthy), { target: r2, eligible: [r2], lower: [r3] });
  });

  it('a named node that cannot be promoted is refused, with what was seen', () => {
    const down = chooseSwitchoverTarget('redis-2', r1, [c(r2, null), healthy[1]!]);
    assert.ok('error' in down && /redis-2 is not a replica of redis-1.*no answer/.test(down.error), JSON.stringify(down));
    const unlinked = chooseSwitchoverTarget('redis-2', r1, [c(r2, replicaInfo(r1.ip, 'down', 0)), healthy[1]!]);
    assert.ok('error' in unlinked && /link down/.test(unlinked.error), JSON.stringify(unlinked));
    const self = chooseSwitchoverTarget('redis-1', r1, [c(r1, MASTER_INFO), ...healthy]);
    assert.ok('error' in self && /primary already/.test(self.error), JSON.stringify(self));
    const missing = chooseSwitchoverTarget('redis-9', r1, healthy);
    assert.ok('error' in missing && /no data node named redis-9/.test(missing.error), JSON.stringify(missing));
  });

  it('does not lower a replica that is at priority 0 already or does not answer', () => {
    const r4 = n(4);
    const choice = chooseSwitchoverTarget('redis-2', r1, [...healthy, c(r4, null), c(n(5), replicaInfo(r1.ip, 'up', 10, 0))]);
    assert.deepEqual(choice, { target: r2, eligible: [r2], lower: [r3] });
  });
});

describe('PrimaryHistory and +switch-master', () => {
  it('reads the old and new master from the timeline message', () => {
    assert.deepEqual(parseSwitchMaster('drill-abc-sentinel-2: +switch-master drill 172.20.0.2 6379 172.20.0.4 6379', 'drill'), { fromIp: '172.20.0.2', toIp: '172.20.0.4' });
    assert.equal(parseSwitchMaster('drill-abc-sentinel-2: +switch-master other 172.20.0.2 6379 172.20.0.4 6379', 'drill'), null);
    assert.equal(parseSwitchMaster('drill-abc-sentinel-2: +sdown master drill 172.20.0.2 6379', 'drill'), null);
  });

  it('the former primary is the one the last change replaced; each Sentinel repeating it counts once', () => {
    const h = new PrimaryHistory();
    assert.equal(h.formerPrimary(), null);
    h.record({ from: 'r1', to: 'r2' });
    h.record({ from: 'r1', to: 'r2' });
    h.record({ from: 'r2', to: 'r2' });
    assert.equal(h.all().length, 1);
    assert.equal(h.formerPrimary(), 'r1');
    h.record({ from: 'r2', to: 'r3' });
    assert.equal(h.formerPrimary(), 'r2');
  });
});
