import assert from 'node:assert/strict';
import http from 'node:http';
import { before, describe, it } from 'node:test';
import { createRunClock } from '../../src/util/clock.js';
import { drillSchema, type MysqlReplicationStackSpec } from '../../src/spec/schema.js';
import { imageRefs } from '../../src/engine/images.js';
import { imagePresent } from '../../src/engine/pull-image.js';
import { removeRun } from '../../src/engine/resources.js';
import type { Stack } from '../../src/stacks/stack.js';
import { detectServer } from '../../src/stacks/mysql/dialect.js';
import { gtidSetSize, mariadbSeq } from '../../src/stacks/mysql/gtid.js';
import { startMysqlReplication, type MysqlStackContext } from '../../src/stacks/mysql-replication/start.js';
import { InfraError } from '../../src/util/errors.js';
import { createLogger } from '../../src/util/log.js';
import { docker, leftovers, requireEngine } from './helpers.js';

// The mysql-replication stack on the real engine, driven directly (no runner): bring-up, writes through
// the app, replication, a killed primary, the runbook (promote the most advanced replica, repoint), writes
// again, and every node read back. Then a wrong runbook: a replica that does not exist.

function specOf(stack: object): MysqlReplicationStackSpec {
  const drill = drillSchema.parse({ name: 'mysql-stack-test', stack, load: { rate: 1, duration: '1s' }, steps: [{ at: '0s', fault: 'kill', target: 'primary' }] });
  return drill.stack as MysqlReplicationStackSpec;
}

async function context(tag: string): Promise<{ ctx: MysqlStackContext; runId: string }> {
  const refs = await imageRefs();
  for (const ref of [refs.mariadb, refs.app]) {
    assert.ok(await imagePresent(docker, ref.tag), `image ${ref.tag} missing: npm run build && node bin/drill.js images --build`);
  }
  const token = `t${process.pid.toString(36)}${tag}${Date.now().toString(36).slice(-4)}`;
  const runId = `mysql-stack-test-${token}`;
  const controller = new AbortController();
  const ctx: MysqlStackContext = {
    docker,
    run: { runId, token, drillName: 'mysql-stack-test' },
    clock: createRunClock(),
    log: createLogger({ level: process.env.DRILL_LOG_LEVEL ?? 'warn', pretty: false }),
    signal: controller.signal,
    images: { mysql: refs.mariadb.tag, app: refs.app.tag },
    readyTimeoutMs: 60_000,
  };
  return { ctx, runId };
}

function post(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function writeAll(stack: Stack, ids: number[]): Promise<void> {
  for (const id of ids) {
    const r = await post(`${stack.appUrl}/write?id=${id}`);
    assert.equal(r.status, 200, `write ${id}: ${r.status} ${r.body}`);
  }
}

describe('GTID positions and flavour detection (no engine)', () => {
  it('reads MariaDB seq_no per domain and MySQL set sizes with union', () => {
    assert.equal(mariadbSeq('0-1-523,1-3-7', 0), 523);
    assert.equal(mariadbSeq('0-1-523,1-3-7', 1), 7);
    assert.equal(mariadbSeq('', 0), 0);
    const u = '3E11FA47-71CA-11E1-9E33-C80AA9429562';
    assert.equal(gtidSetSize(`${u}:1-5:7-9`), 8);
    assert.equal(gtidSetSize(`${u}:1-5`, `${u.toLowerCase()}:4-10`), 10);
    assert.equal(gtidSetSize(`${u}:1-3,\n${u.replace('3E', '4E')}:1`), 4);
    assert.equal(gtidSetSize(`${u}:tag:1-2:5`), 3);
  });

  it('detects the flavour from the server, not the image', () => {
    assert.equal(detectServer('10.11.18-MariaDB-0+deb12u1-log', 'Debian 12').flavour, 'mariadb');
    assert.equal(detectServer('11.4.2-MariaDB-ubu2404', 'mariadb.org binary distribution').flavour, 'mariadb');
    assert.equal(detectServer('8.4.3', 'MySQL Community Server - GPL').flavour, 'mysql');
    assert.deepEqual(detectServer('8.0.36-28', 'Percona Server (GPL), Release 28').v, [8, 0, 36]);
  });
});

describe('mysql-replication stack on the real engine', () => {
  before(requireEngine);

  it('replicates, survives a killed primary through promote + repoint, and reads every node back', { timeout: 240_000 }, async () => {
    const { ctx, runId } = await context('a');
    let stack: Stack | undefined;
    try {
      const t0 = performance.now();
      stack = await startMysqlReplication(ctx, specOf({ kind: 'mysql-replication', replicas: 2, replication: { mode: 'semisync', semisyncTimeout: '2s' } }));
      const upMs = performance.now() - t0;
      const runbook = stack.runbook!;
      assert.ok(runbook, 'a mysql-replication stack has a runbook');

      const primary = await stack.primary();
      assert.equal(primary.node, 'db-1');
      assert.deepEqual((await stack.replicas()).map((r) => r.node).sort(), ['db-2', 'db-3']);
      assert.equal(await runbook.checkPrimary(500), true);

      const first = Array.from({ length: 50 }, (_, i) => i + 1);
      await writeAll(stack, first);
      assert.deepEqual(
        [...(await stack.readWriteIds())].sort((a, b) => a - b),
        first,
      );
      const before = await stack.verify({ catchUpTimeoutMs: 5000 });
      for (const n of before) assert.equal(n.ids?.size, first.length, `${n.node} (${n.role}) has ${n.ids?.size} ids: ${n.error ?? ''}`);

      // A frozen primary: the write was sent and never answered → "unknown" after the app's query timeout;
      // the detector's check times out too. (Applied after the unpause: it may be present later.)
      await docker.getContainer(primary.id).pause();
      try {
        const tFrozen = performance.now();
        const frozen = await post(`${stack.appUrl}/write?id=999`);
        const frozenMs = performance.now() - tFrozen;
        assert.equal(frozen.status, 503, frozen.body);
        assert.equal(JSON.parse(frozen.body).outcome, 'unknown', frozen.body);
        assert.ok(frozenMs >= 900 && frozenMs < 3000, `the app answered a frozen write after ${frozenMs} ms (query timeout 1000 ms)`);
        assert.equal(await runbook.checkPrimary(300), false);
      } finally {
        await docker.getContainer(primary.id).unpause();
      }
      assert.equal(await runbook.checkPrimary(1000), true);

      // Kill the primary: the app's writes now fail, the detector's check says dead.
      await docker.getContainer(primary.id).kill({ signal: 'SIGKILL' });
      const tDead = performance.now();
      const dead = await post(`${stack.appUrl}/write?id=1000`);
      const deadWriteMs = performance.now() - tDead;
      assert.equal(dead.status, 503);
      assert.ok(['fail', 'unknown'].includes(JSON.parse(dead.body).outcome), dead.body);
      const tCheck = performance.now();
      assert.equal(await runbook.checkPrimary(500), false);
      const deadCheckMs = performance.now() - tCheck;
      // No database is writable and free now: the one drill made primary is named (a kill target).
      assert.equal((await stack.primary()).node, 'db-1');

      const tPromote = performance.now();
      const promoted = await runbook.promote({ candidate: 'most-advanced', catchUp: true, timeoutMs: 10_000, signal: ctx.signal });
      const promoteMs = performance.now() - tPromote;
      assert.ok(['db-2', 'db-3'].includes(promoted.node), promoted.node);
      assert.match(promoted.detail, /most advanced by GTID/);
      assert.equal((await stack.primary()).node, promoted.node, 'the databases name the promoted node');
      assert.equal(await runbook.checkPrimary(500), true);

      const tRepoint = performance.now();
      const repointed = await runbook.repoint({ timeoutMs: 10_000, signal: ctx.signal });
      const repointMs = performance.now() - tRepoint;
      const other = promoted.node === 'db-2' ? 'db-3' : 'db-2';
      assert.match(repointed.detail, new RegExp(`${other} → ${promoted.node} replicating`), repointed.detail);
      assert.match(repointed.detail, /db-1 unreachable/);

      const second = Array.from({ length: 50 }, (_, i) => i + 2001);
      await writeAll(stack, second);
      const nodes = await stack.verify({ catchUpTimeoutMs: 5000 });
      const byNode = new Map(nodes.map((n) => [n.node, n]));
      assert.equal(byNode.get('db-1')?.role, 'unreachable');
      assert.equal(byNode.get('db-1')?.ids, null);
      assert.equal(byNode.get(promoted.node)?.role, 'primary');
      assert.equal(byNode.get(other)?.role, 'replica');
      // 999 (frozen, applied after the unpause) is there; 1000 (sent to a dead primary) is not.
      const expected = [...first, 999, ...second];
      for (const name of [promoted.node, other]) {
        const ids = byNode.get(name)!.ids!;
        assert.deepEqual(
          [...ids].sort((a, b) => a - b),
          expected,
          `${name} holds every acknowledged write`,
        );
      }

      // The old primary comes back (restart after a kill): writable, not replicating — two nodes now look
      // like a primary. drill keeps naming the one it promoted, and readAllNodes reads the old one too.
      await docker.getContainer(primary.id).start();
      await waitFor(async () => (await stack!.verify({ catchUpTimeoutMs: 100 })).find((n) => n.node === 'db-1')?.ids != null, 20_000);
      assert.equal((await stack.primary()).node, promoted.node);
      const split = await stack.verify({ catchUpTimeoutMs: 1000 });
      const old = split.find((n) => n.node === 'db-1')!;
      assert.equal(old.role, 'replica');
      assert.deepEqual(
        [...old.ids!].sort((a, b) => a - b),
        [...first, 999],
      );
      assert.match((await runbook.repoint({ timeoutMs: 5000, signal: ctx.signal })).detail, /db-1 is not a replica \(writable: a second primary\?\), left alone/);
      console.log(
        `timings: stack up ${upMs.toFixed(0)} ms, promote ${promoteMs.toFixed(0)} ms, repoint ${repointMs.toFixed(0)} ms, write to a killed primary answered in ${deadWriteMs.toFixed(0)} ms (${dead.body}), check of a killed primary ${deadCheckMs.toFixed(0)} ms\n  promote: ${promoted.detail}\n  repoint: ${repointed.detail}`,
      );
    } finally {
      await stack?.stop();
      const removed = await removeRun(docker, runId);
      assert.deepEqual(removed.errors, []);
      assert.deepEqual(await leftovers(runId), []);
    }
  });

  it('refuses a wrong runbook with a clear InfraError, and a delayed replica loses unapplied writes without catch-up', { timeout: 240_000 }, async () => {
    const { ctx, runId } = await context('b');
    let stack: Stack | undefined;
    try {
      stack = await startMysqlReplication(ctx, specOf({ kind: 'mysql-replication', replicas: 1, delayedReplica: { node: 'db-2', delay: '30s' } }));
      const runbook = stack.runbook!;
      await assert.rejects(
        runbook.promote({ candidate: 'db-9', catchUp: true, timeoutMs: 5000, signal: ctx.signal }),
        (error: unknown) => error instanceof InfraError && /cannot promote db-9: no such node \(nodes: db-1, db-2\)/.test(error.message),
      );
      await assert.rejects(
        runbook.promote({ candidate: 'db-1', catchUp: true, timeoutMs: 5000, signal: ctx.signal }),
        (error: unknown) => error instanceof InfraError && /cannot promote db-1: it is not a replica/.test(error.message),
      );

      // db-2 applies each write 30 s late: it has received these, applied none.
      await writeAll(stack, [1, 2, 3, 4, 5]);
      await new Promise((r) => setTimeout(r, 1000)); // received by db-2's receiver (async replication)
      const db1 = stack.containers.find((c) => c.node === 'db-1')!;
      await docker.getContainer(db1.id).kill({ signal: 'SIGKILL' });
      await assert.rejects(
        runbook.promote({ candidate: 'db-1', catchUp: true, timeoutMs: 5000, signal: ctx.signal }),
        (error: unknown) => error instanceof InfraError && /cannot promote db-1: it is not running \(container exited\)/.test(error.message),
      );
      const promoted = await runbook.promote({ candidate: 'db-2', catchUp: false, timeoutMs: 5000, signal: ctx.signal });
      assert.equal(promoted.node, 'db-2');
      assert.match(promoted.detail, /5 received-but-unapplied transaction\(s\) discarded/);
      await runbook.repoint({ timeoutMs: 5000, signal: ctx.signal });
      await writeAll(stack, [6]);
      const nodes = await stack.verify({ catchUpTimeoutMs: 1000 });
      assert.deepEqual([...nodes.find((n) => n.node === 'db-2')!.ids!], [6], 'the writes db-2 had not applied are lost');
    } finally {
      await stack?.stop();
      await removeRun(docker, runId);
      assert.deepEqual(await leftovers(runId), []);
    }
  });

  it("catch-up lifts a delayed replica's delay and applies its relay log before promoting it", { timeout: 240_000 }, async () => {
    const { ctx, runId } = await context('c');
    let stack: Stack | undefined;
    try {
      stack = await startMysqlReplication(ctx, specOf({ kind: 'mysql-replication', replicas: 1, delayedReplica: { node: 'db-2', delay: '30s' } }));
      const runbook = stack.runbook!;
      await writeAll(stack, [1, 2, 3, 4, 5]);
      await new Promise((r) => setTimeout(r, 1000));
      await docker.getContainer(stack.containers.find((c) => c.node === 'db-1')!.id).kill({ signal: 'SIGKILL' });
      const t = performance.now();
      const promoted = await runbook.promote({ candidate: 'most-advanced', catchUp: true, timeoutMs: 10_000, signal: ctx.signal });
      const tookMs = performance.now() - t;
      assert.equal(promoted.node, 'db-2');
      assert.match(promoted.detail, /caught up 5 received-but-unapplied transaction\(s\) \(MASTER_DELAY 30 s lifted\)/);
      assert.ok(tookMs < 5000, `catch-up took ${tookMs} ms: the delay was not lifted`);
      await runbook.repoint({ timeoutMs: 5000, signal: ctx.signal });
      await writeAll(stack, [6]);
      assert.deepEqual(
        [...(await stack.readWriteIds())].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6],
      );
    } finally {
      await stack?.stop();
      await removeRun(docker, runId);
      assert.deepEqual(await leftovers(runId), []);
    }
  });
});
