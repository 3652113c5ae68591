import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mariadbErrant, mysqlErrant, parseMariadbGtids } from '../../src/stacks/mysql/errant.js';

// Errant GTID arithmetic, against answers known by construction: explicit histories (every GTID listed)
// whose set difference is the truth, reduced to the state the servers report.

type Gtid = [domain: number, server: number, seq: number];

/** A MariaDB history: per domain, seq_no one more than the last; `writes` lists the writing server of each transaction. */
function history(domain: number, writes: number[], fromSeq = 1): Gtid[] {
  return writes.map((server, i) => [domain, server, fromSeq + i]);
}

/** What @@gtid_binlog_state says of a history: the last GTID of each (domain, server). */
function binlogState(h: Gtid[]): string {
  const last = new Map<string, Gtid>();
  for (const g of h) last.set(`${g[0]}-${g[1]}`, g);
  return [...last.values()].map((g) => g.join('-')).join(',');
}

function truth(node: Gtid[], primary: Gtid[]): string[] {
  const have = new Set(primary.map((g) => g.join('-')));
  return node.map((g) => g.join('-')).filter((g) => !have.has(g));
}

const repeat = (server: number, n: number) => Array.from({ length: n }, () => server);

describe('mariadbErrant', () => {
  it('a killed primary whose last two commits no replica received: exactly those two', () => {
    const shared = repeat(1, 98);
    const node = history(0, [...shared, 1, 1]);
    const primary = history(0, [...shared, ...repeat(2, 400)]);
    const e = mariadbErrant(binlogState(node), binlogState(primary));
    assert.deepEqual(truth(node, primary), ['0-1-99', '0-1-100']);
    assert.equal(e.count, 2);
    assert.deepEqual(e.first, ['0-1-99', '0-1-100']);
    assert.deepEqual(e.ranges, ['0-1-99..0-1-100']);
  });

  it('no errant: a node behind the primary, or level with it, or a fresh one', () => {
    const node = history(0, repeat(1, 98));
    const primary = history(0, [...repeat(1, 98), ...repeat(2, 50), ...repeat(1, 10)]);
    assert.equal(mariadbErrant(binlogState(node), binlogState(primary)).count, 0);
    assert.equal(mariadbErrant(binlogState(primary), binlogState(primary)).count, 0);
    assert.equal(mariadbErrant('', binlogState(primary)).count, 0);
    assert.deepEqual(mariadbErrant('', ''), { count: 0, ranges: [], first: [] });
  });

  it('a node that replicated from several servers before diverging: only its own tail counts', () => {
    // db-1 wrote 1..10, db-2 11..20 (after a failover), the node (db-2) then wrote 21..25 that the new
    // primary (db-3, promoted from a replica that had up to 20) never got.
    const base = [...repeat(1, 10), ...repeat(2, 10)];
    const node = history(0, [...base, ...repeat(2, 5)]);
    const primary = history(0, [...base, ...repeat(3, 30)]);
    const e = mariadbErrant(binlogState(node), binlogState(primary));
    assert.equal(e.count, truth(node, primary).length);
    assert.equal(e.count, 5);
    assert.deepEqual(e.ranges, ['0-2-21..0-2-25']);
    assert.deepEqual(e.first, truth(node, primary));
  });

  it('errant writes by a server the primary never heard of (a write on a replica by mistake)', () => {
    const node = history(0, [...repeat(1, 40), 7]);
    const primary = history(0, repeat(1, 60));
    const e = mariadbErrant(binlogState(node), binlogState(primary));
    assert.deepEqual(truth(node, primary), ['0-7-41']);
    assert.equal(e.count, 1);
    assert.deepEqual(e.ranges, ['0-7-41']);
  });

  it('domains are counted separately', () => {
    const node = [...history(0, [...repeat(1, 5), 1, 1]), ...history(1, repeat(1, 3))];
    const primary = [...history(0, [...repeat(1, 5), 2]), ...history(1, repeat(1, 3))];
    const e = mariadbErrant(binlogState(node), binlogState(primary));
    assert.equal(e.count, truth(node, primary).length);
    assert.deepEqual(e.ranges, ['0-1-6..0-1-7']);
  });

  it('agrees with the set difference on generated histories', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      // A shared prefix written by a few servers in turns, then each side its own writers.
      const shared: number[] = [];
      for (let i = rand(4); i >= 0; i--) shared.push(...repeat(1 + rand(3), 1 + rand(20)));
      const nodeTail = rand(3) === 0 ? [] : repeat(1 + rand(3), rand(15));
      const primaryTail = repeat(4 + rand(2), rand(30));
      const node = history(0, [...shared, ...nodeTail]);
      const primary = history(0, [...shared, ...primaryTail]);
      const e = mariadbErrant(binlogState(node), binlogState(primary));
      const want = truth(node, primary);
      assert.equal(e.count, want.length, `round ${round}: node ${binlogState(node)} primary ${binlogState(primary)}`);
      assert.deepEqual(e.first, want.slice(0, 5));
    }
  });

  it('refuses a malformed state rather than counting nothing', () => {
    assert.throws(() => parseMariadbGtids('0-1-5,garbage'), /not a MariaDB GTID/);
    assert.deepEqual(parseMariadbGtids(' 0-1-5 , 1-2-7'), [
      { domain: 0, server: 1, seq: 5 },
      { domain: 1, server: 2, seq: 7 },
    ]);
  });
});

describe('mysqlErrant', () => {
  const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
  const B = '4f22ab58-82db-22f2-af44-d91bba953673';

  it('the node set minus the primary set, as ranges and GTIDs', () => {
    const e = mysqlErrant(`${A}:1-100`, `${A}:1-98,${B}:1-400`);
    assert.equal(e.count, 2);
    assert.deepEqual(e.ranges, [`${A}:99-100`]);
    assert.deepEqual(e.first, [`${A}:99`, `${A}:100`]);
  });

  it('holes and several sources', () => {
    const e = mysqlErrant(`${A}:1-10:15-20,${B}:1-3`, `${A}:1-5:8-16,${B}:1-3`);
    // A: 6-7, 17-20; B: none.
    assert.equal(e.count, 6);
    assert.deepEqual(e.ranges, [`${A}:6-7`, `${A}:17-20`]);
  });

  it('nothing errant when the primary has it all', () => {
    assert.equal(mysqlErrant(`${A}:1-10`, `${A}:1-20`).count, 0);
    assert.equal(mysqlErrant('', `${A}:1-20`).count, 0);
  });
});
