import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildPlan } from '../../src/plan/build-plan.js';
import { DrillFileError, loadDrillFile, loadDrillText } from '../../src/spec/load-drill.js';
import { withHost } from '../../src/stacks/compose/postgres-repoint.js';
import { ROOT } from './cli-from-source.js';

// Bring your own PostgreSQL stack (stack: { kind: compose, system: postgres }): the shipped drill's plan,
// what validation refuses, and how repoint rewrites a standby's own primary_conninfo.

describe('compose postgres', () => {
  it('repoint changes only the host of the standby’s primary_conninfo', () => {
    assert.equal(withHost('host=pg-primary port=5432 user=repl password=x application_name=pg-replica', 'c2'), 'host=c2 port=5432 user=repl password=x application_name=pg-replica');
    assert.equal(withHost("user=repl host='old host' port=5432", 'c2'), 'user=repl host=c2 port=5432');
    assert.equal(withHost('port=5432 user=repl', 'c2'), 'host=c2 port=5432 user=repl');
    // hostaddr, application_name=host-like values are not the host keyword
    assert.equal(withHost('hostaddr=10.0.0.1 application_name=host=x host=a', 'c2'), 'hostaddr=10.0.0.1 application_name=host=x host=c2');
  });

  it('plans the shipped drill: your containers found at run time, psql inside them, the runbook fails over', async () => {
    const plan = await buildPlan(await loadDrillFile(join(ROOT, 'drills', 'compose-postgres.yaml')), { outDir: 'reports', keepStack: false });
    assert.equal(plan.stack.failover, 'the runbook steps below (nothing fails over by itself)');
    assert.ok(plan.stack.notes.some((n) => /PostgreSQL: the containers exposing port 5432, asked with psql inside each container/.test(n)));
    assert.deepEqual(
      plan.steps.map((s) => s.action.split(/[ (;:]/)[0]),
      ['kill', 'wait', 'promote', 'repoint', 'wait'],
    );
  });

  it('refuses what does not apply to PostgreSQL', () => {
    const text = (extra: string) =>
      `name: t\nstack:\n  kind: compose\n  project: p\n  system: postgres\n  endpoint: http://127.0.0.1:1\n${extra}load: { rate: 10, duration: 10s }\nsteps:\n  - { at: 1s, fault: kill, target: primary }\n`;
    assert.doesNotThrow(() => loadDrillText(text(''), 't.yaml'));
    assert.throws(
      () => loadDrillText(text('  password: x\n'), 't.yaml'),
      (e: unknown) => e instanceof DrillFileError && /password applies to system redis-sentinel, got postgres: remove it \(drill asks PostgreSQL with psql/.test(e.message),
    );
    assert.throws(
      () => loadDrillText(text('  mysql: { password: x }\n'), 't.yaml'),
      (e: unknown) => e instanceof DrillFileError && /mysql applies to system mysql-replication, got postgres/.test(e.message),
    );
    assert.throws(
      () => loadDrillText(text('').replace('target: primary }', 'target: primary }\n  - { action: rejoin }'), 't.yaml'),
      (e: unknown) => e instanceof DrillFileError && /runbook step "rejoin" needs a stack drill starts/.test(e.message),
    );
  });
});
