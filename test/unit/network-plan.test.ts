import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lossConsistent, partitionFirstWave, partitionInEffectBy, planLossBetween, planPartition, type PlanNode } from '../../src/faults/network/plan.js';
import { dropRules, existingConnectionsFilter, installScript, latencyProxyRules, lossRules, newChainName, purgeScript, removeScript, witnessAddress } from '../../src/faults/network/rules.js';
import { InfraError } from '../../src/util/errors.js';

// The rules and probes of network faults, without an engine.

const n = (node: string, last: number, port = 6379): PlanNode => ({ node, ip: `172.20.0.${last}`, port });
const r1 = n('redis-1', 2);
const r2 = n('redis-2', 3);
const s1 = n('sentinel-1', 4, 26379);
const s2 = n('sentinel-2', 5, 26379);
const app = n('app-1', 6, 8080);
const everyone = [r1, r2, s1, s2, app];

describe('iptables text', () => {
  it('installs one chain of drill’s own, hooked first into INPUT and OUTPUT (and PREROUTING only for nat rules)', () => {
    const text = installScript('DRILL-x-1', { filter: ['-s 172.20.0.3/32 -j DROP'], nat: [] });
    assert.deepEqual(text.trim().split('\n'), [
      '*filter',
      ':DRILL-x-1 - [0:0]',
      '-A DRILL-x-1 -i lo -j RETURN',
      '-A DRILL-x-1 -o lo -j RETURN',
      '-A DRILL-x-1 -s 172.20.0.3/32 -j DROP',
      '-I INPUT 1 -j DRILL-x-1',
      '-I OUTPUT 1 -j DRILL-x-1',
      'COMMIT',
    ]);
    const withNat = installScript('DRILL-x-2', { filter: [], nat: ['-p tcp --dport 6379 -j REDIRECT --to-ports 4000'] });
    assert.match(withNat, /\*nat\n:DRILL-x-2 - \[0:0\]\n-A DRILL-x-2 -p tcp --dport 6379 -j REDIRECT --to-ports 4000\n-I PREROUTING 1 -j DRILL-x-2\nCOMMIT\n$/);
  });

  it('removes every hook of the chain, then the chain, and fails only if it is still there', () => {
    const text = removeScript('DRILL-x-1');
    for (const hook of ['-t filter -D INPUT', '-t filter -D OUTPUT', '-t nat -D PREROUTING', '-t filter -X DRILL-x-1', '-t nat -X DRILL-x-1']) assert.ok(text.includes(hook), hook);
    assert.match(text, /exit 1/);
    assert.ok(!/-F INPUT|-F OUTPUT|-F PREROUTING|iptables -F\b(?! DRILL)/.test(text), 'never flushes a chain that is not drill’s');
    // The hooks are deleted in one iptables-restore, by the stamping perl ("$1", at "$2"), before the
    // one-by-one loops that only catch leftovers.
    const lines = text.split('\n');
    assert.match(lines[0]!, /^unhook=\$\(\{ iptables-save -t filter; iptables-save -t nat; \}/);
    assert.match(lines[1]!, /^\[ -z "\$unhook" \] \|\| perl -e "\$1" "\$unhook" "\$2"/);
    assert.ok(lines.slice(2, 5).every((l) => /^while iptables -t \w+ -D \w+ -j DRILL-x-1 /.test(l)));
  });

  it("turns only the chain's own hooks into deletions, one table block each (run through the awk in the script)", () => {
    const awk = /awk -v c='DRILL-x-1' '([^']+)'/.exec(removeScript('DRILL-x-1'))![1]!;
    const saved = [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      '-A INPUT -j DRILL-x-1',
      '-A INPUT -j DRILL-x-10',
      '-A OUTPUT -s 10.0.0.1/32 -j DRILL-x-1',
      '-A OUTPUT -j DRILL-x-1',
      '-A DRILL-x-1 -j DROP',
      'COMMIT',
      '*nat',
      '-A PREROUTING -j DRILL-x-1',
      'COMMIT',
      '',
    ].join('\n');
    const out = execFileSync('awk', ['-v', 'c=DRILL-x-1', awk], { input: saved, encoding: 'utf8' });
    assert.equal(out, ['*filter', '-D INPUT -j DRILL-x-1', '-D OUTPUT -j DRILL-x-1', 'COMMIT', '*nat', '-D PREROUTING -j DRILL-x-1', 'COMMIT', ''].join('\n'));
    assert.equal(execFileSync('awk', ['-v', 'c=DRILL-x-1', awk], { input: '*filter\n-A INPUT -j DRILL-x-10\nCOMMIT\n', encoding: 'utf8' }), '');
  });

  it('keeps a ledger: removal strikes the chain out, a purge undoes only what the ledger lists', () => {
    assert.match(removeScript('DRILL-x-1'), /sed -i '\/\^chain DRILL-x-1\$\/d' \/tmp\/drill-ledger/);
    const purge = purgeScript();
    assert.match(purge, /sed -n 's\/\^chain \/\/p' \/tmp\/drill-ledger/);
    assert.match(purge, /sed -n 's\/\^netem \/\/p' \/tmp\/drill-ledger/);
    assert.doesNotMatch(purge, /iptables(-save)? -S \|| grep DRILL/, 'never guesses chains by name');
  });

  it('chain names fit iptables (28 characters) and differ', () => {
    const a = newChainName();
    const b = newChainName();
    assert.notEqual(a, b);
    assert.ok(a.length <= 28 && a.startsWith('DRILL-'));
  });

  it('drops by direction, with a statistic match for a share', () => {
    assert.deepEqual(dropRules([r2], 'both'), ['-s 172.20.0.3/32 -j DROP', '-d 172.20.0.3/32 -j DROP']);
    assert.deepEqual(dropRules([r2], 'to'), ['-d 172.20.0.3/32 -j DROP']);
    assert.deepEqual(dropRules([r2], 'from'), ['-s 172.20.0.3/32 -j DROP']);
    assert.deepEqual(dropRules([r2], 'to', 0.25), ['-d 172.20.0.3/32 -m statistic --mode random --probability 0.250000 -j DROP']);
    assert.deepEqual(lossRules(0.3), ['-m statistic --mode random --probability 0.300000 -j DROP']);
    assert.deepEqual(lossRules(1), ['-j DROP']);
  });

  it('a witness address only where the rules drop a peer whole on the way out', () => {
    const r3 = { node: 'redis-3', ip: '172.20.0.4' };
    const set = (filter: string[]) => ({ filter, nat: [] });
    assert.equal(witnessAddress(set(dropRules([r2, r3], 'both'))), '172.20.0.3');
    assert.equal(witnessAddress(set(dropRules([r2], 'to'))), '172.20.0.3');
    // Only what comes in, only a share, everything (no peer named), only some ports, loopback: none.
    assert.equal(witnessAddress(set(dropRules([r2], 'from'))), undefined);
    assert.equal(witnessAddress(set(dropRules([r2], 'both', 0.5))), undefined);
    assert.equal(witnessAddress(set(lossRules(1))), undefined);
    assert.equal(witnessAddress(latencyProxyRules('172.20.0.2', [{ port: 6379, listen: 16379 }], ['172.20.0.3'])), undefined);
    assert.equal(witnessAddress(set(['-d 127.0.0.2/32 -j DROP'])), undefined);
  });

  it('latency proxy: redirects new connections to the service port, resets old ones except the resets themselves', () => {
    const rules = latencyProxyRules('172.20.0.2', [{ port: 6379, listen: 41000 }]);
    assert.deepEqual(rules.nat, ['-d 172.20.0.2/32 -p tcp -m tcp --dport 6379 -j REDIRECT --to-ports 41000']);
    assert.deepEqual(rules.filter, [
      '-d 172.20.0.2/32 -p tcp -m tcp --dport 6379 -j REJECT --reject-with tcp-reset',
      '-s 172.20.0.2/32 -p tcp -m tcp --sport 6379 ! --tcp-flags RST RST -j REJECT --reject-with tcp-reset',
    ]);
    // The node's own connections out to port 6379 elsewhere (a replica to its master) are not matched: -d/-s the node's IP.
    assert.ok(rules.filter.every((r) => r.includes('172.20.0.2/32')));
    assert.equal(existingConnectionsFilter('172.20.0.2', [6379, 26379]), '( sport = :6379 or sport = :26379 ) and not ( dst 172.20.0.2 or dst 127.0.0.1 )');
  });

  it('latency proxy from peers only (a slow link between sites): only their connections are redirected and reset', () => {
    const rules = latencyProxyRules('172.20.0.2', [{ port: 3306, listen: 41000 }], ['172.20.0.4']);
    assert.deepEqual(rules.nat, ['-s 172.20.0.4/32 -d 172.20.0.2/32 -p tcp -m tcp --dport 3306 -j REDIRECT --to-ports 41000']);
    assert.deepEqual(rules.filter, [
      '-s 172.20.0.4/32 -d 172.20.0.2/32 -p tcp -m tcp --dport 3306 -j REJECT --reject-with tcp-reset',
      '-s 172.20.0.2/32 -d 172.20.0.4/32 -p tcp -m tcp --sport 3306 ! --tcp-flags RST RST -j REJECT --reject-with tcp-reset',
    ]);
    assert.equal(existingConnectionsFilter('172.20.0.2', [3306], ['172.20.0.4', '172.20.0.5']), '( sport = :3306 ) and ( dst 172.20.0.4 or dst 172.20.0.5 )');
  });
});

describe('partition plan', () => {
  it('two-way: both sides drop to and from the other groups; nodes in no group get no rules', () => {
    const plan = planPartition([[r1], [r2, s1]], false, everyone);
    assert.deepEqual([...plan.rules.keys()].sort(), ['redis-1', 'redis-2', 'sentinel-1']);
    assert.deepEqual(plan.rules.get('redis-1')!.filter, ['-s 172.20.0.3/32 -j DROP', '-d 172.20.0.3/32 -j DROP', '-s 172.20.0.4/32 -j DROP', '-d 172.20.0.4/32 -j DROP']);
    assert.deepEqual(plan.rules.get('sentinel-1')!.filter, ['-s 172.20.0.2/32 -j DROP', '-d 172.20.0.2/32 -j DROP']);
    assert.equal(plan.rules.has('app-1'), false);
  });

  it('two-way probes: blocked from every node of each group to the other side, open inside a group and to a node in no group', () => {
    const { probes } = planPartition([[r1], [r2, s1]], false, everyone);
    const blocked = probes.filter((p) => p.expect === 'blocked').map((p) => `${p.from}>${p.to}`);
    assert.deepEqual(blocked, ['redis-1>redis-2', 'redis-2>redis-1', 'sentinel-1>redis-1']);
    const open = probes.filter((p) => p.expect === 'open').map((p) => `${p.from}>${p.to}`);
    assert.deepEqual(open, ['redis-1>sentinel-2', 'redis-2>sentinel-1', 'redis-2>sentinel-2']);
    assert.ok(probes.every((p) => p.via === 'tcp'));
  });

  it('one-way: groups[0] drops what it sends to the others, the others drop what comes from groups[0]; probed with datagrams', () => {
    const plan = planPartition([[r1], [r2]], true, everyone);
    assert.deepEqual(plan.rules.get('redis-1')!.filter, ['-d 172.20.0.3/32 -j DROP']);
    assert.deepEqual(plan.rules.get('redis-2')!.filter, ['-s 172.20.0.2/32 -j DROP']);
    const udp = plan.probes.filter((p) => p.via === 'udp').map((p) => `${p.from}>${p.to} ${p.expect}`);
    assert.deepEqual(udp, ['redis-1>redis-2 blocked', 'redis-2>redis-1 open']);
  });

  it('one-way between three groups: the later groups keep their links to each other', () => {
    const plan = planPartition([[r1], [r2], [s1]], true, everyone);
    assert.deepEqual(plan.rules.get('redis-2')!.filter, ['-s 172.20.0.2/32 -j DROP']);
    assert.deepEqual(plan.rules.get('sentinel-1')!.filter, ['-s 172.20.0.2/32 -j DROP']);
  });

  it('refuses a node in two groups, and fewer than two non-empty groups', () => {
    assert.throws(
      () => planPartition([[r1], [r1, r2]], false, everyone),
      (e: unknown) => e instanceof InfraError && /redis-1 is in group 1 and in group 2/.test(e.message),
    );
    assert.throws(() => planPartition([[r1], []], false, everyone), InfraError);
  });

  it('a node without a service port is cut but not used as a TCP probe target', () => {
    const bare: PlanNode = { node: 'redis-9', ip: '172.20.0.9', port: undefined };
    const { probes } = planPartition([[r1], [bare, r2]], false, [r1, r2, bare]);
    assert.ok(probes.every((p) => p.to !== 'redis-9'));
    assert.ok(
      probes.some((p) => p.from === 'redis-9' && p.expect === 'blocked'),
      'it still probes from there',
    );
  });
});

describe('loss', () => {
  it('between two groups: rules on the smaller side only, so a packet is dropped once', () => {
    const { side, rules } = planLossBetween([r2, s1, s2], [r1], 0.5);
    assert.deepEqual(
      side.map((x) => x.node),
      ['redis-1'],
    );
    assert.deepEqual([...rules.keys()], ['redis-1']);
    assert.equal(rules.get('redis-1')!.filter.length, 6);
    assert.throws(() => planLossBetween([r1], [r1, r2], 0.5), InfraError);
  });

  it('accepts the observed loss only when it fits the asked one (5 σ + 2 points)', () => {
    assert.ok(lossConsistent(0.3, 120, 400));
    assert.ok(lossConsistent(0.3, 100, 400));
    assert.ok(!lossConsistent(0.3, 0, 400), 'no loss at all is not 30 %');
    assert.ok(!lossConsistent(0.3, 300, 400));
    assert.ok(lossConsistent(1, 400, 400));
    assert.ok(!lossConsistent(1, 350, 400));
    assert.ok(!lossConsistent(0.5, 0, 0), 'nothing sent proves nothing');
  });
});

describe('partition in effect by', () => {
  const ends = new Map([
    ['a1', 10],
    ['a2', 14],
    ['b1', 12],
    ['b2', 19],
    ['b3', 11],
  ]);
  const by = (groups: string[][], oneWay = false) => partitionInEffectBy(groups, oneWay, ends);
  it('two groups: once either group has all its rules in (every path between them has one cut end)', () => {
    assert.equal(
      by([
        ['a1', 'a2'],
        ['b1', 'b2', 'b3'],
      ]),
      14,
    );
    assert.equal(
      by(
        [
          ['a1', 'a2'],
          ['b1', 'b2', 'b3'],
        ],
        true,
      ),
      14,
    );
  });
  it('three groups: every pair of groups must be cut', () => {
    assert.equal(by([['a1'], ['a2'], ['b1', 'b2', 'b3']]), 14);
    assert.equal(by([['a1'], ['b2'], ['b3']]), 11);
    // One-way: only the paths from the first group are cut.
    assert.equal(by([['b2'], ['a1'], ['a2']], true), 14);
  });
  it('a group with a node without rules (not running, drill itself) is cut only by the other side', () => {
    assert.equal(
      by([
        ['a1', 'runner'],
        ['b1', 'b2', 'b3'],
      ]),
      19,
    );
    assert.equal(by([['runner'], ['a1', 'a2']]), 14);
  });
});

describe('partition first wave', () => {
  const all = (groups: string[][]) => new Set(groups.flat().filter((n) => n !== 'runner' && n !== 'down'));
  const wave = (groups: string[][], oneWay = false) => {
    const w = partitionFirstWave(groups, oneWay, all(groups));
    return w && [...w].sort();
  };
  it('two-way: every group but the largest, whose rules alone cut every path', () => {
    assert.deepEqual(
      wave([
        ['a1', 'a2'],
        ['b1', 'b2', 'b3'],
      ]),
      ['a1', 'a2'],
    );
    assert.deepEqual(wave([['a1'], ['b1'], ['c1', 'c2', 'c3']]), ['a1', 'b1']);
  });
  it('one-way: the first group, or all the others when they are fewer', () => {
    assert.deepEqual(wave([['a1', 'a2', 'a3'], ['b1']], true), ['b1']);
    assert.deepEqual(wave([['a1'], ['b1', 'b2']], true), ['a1']);
  });
  it('a group that cannot be fully ruled (drill itself, a node not running) stays out of it; none fits → null', () => {
    assert.deepEqual(
      wave([
        ['a1', 'runner'],
        ['b1', 'b2', 'b3'],
      ]),
      ['b1', 'b2', 'b3'],
    );
    assert.equal(
      wave([
        ['a1', 'runner'],
        ['b1', 'down'],
      ]),
      null,
    );
    assert.equal(wave([['a1'], ['b1']])?.length, 1);
  });
  it('the first wave alone puts the partition in effect', () => {
    const groups = [['a1', 'a2'], ['b1', 'b2', 'b3'], ['c1']];
    const first = partitionFirstWave(groups, false, all(groups))!;
    const ends = new Map([...first].map((n, i) => [n, 10 + i]));
    assert.equal(partitionInEffectBy(groups, false, ends), 10 + first.size - 1);
  });
});
