import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, drillFromSource, type CliRun } from './cli-from-source.js';
import { faultPlugins } from '../../src/faults/registry.js';
import { STARTER_KINDS, renderStarter } from '../../src/init/starter.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { faultPlans } from '../../src/plan/fault-plans.js';
import { renderPlan } from '../../src/plan/render-plan.js';
import { loadDrillFile, loadDrillText } from '../../src/spec/load-drill.js';

// `drill run --dry-run`: the plan of every shipped drill and starter, what it says about targets, heals
// and failover, and the command line run with DOCKER_HOST on a socket that does not exist and with the
// engine client made unloadable (test/fixtures/no-engine-client): exit 0 for a valid file, 2 otherwise,
// and nothing written.

const NO_ENGINE = join(ROOT, 'test', 'fixtures', 'no-engine-client', 'register.mjs');
const DRILLS = join(ROOT, 'drills');

function drill(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return drillFromSource(cwd, args, { imports: [NO_ENGINE], env: { DOCKER_HOST: 'unix:///nonexistent/drill-test-docker.sock', ...env } });
}

const options = { outDir: 'reports', keepStack: false };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-dry-run-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the plan of a drill', () => {
  it('every shipped drill and every starter has one, in text and as JSON', async () => {
    const files = (await readdir(DRILLS)).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 10);
    const drills = [...(await Promise.all(files.map((f) => loadDrillFile(join(DRILLS, f), { env: {} })))), ...STARTER_KINDS.map((k) => loadDrillText(renderStarter(k, {}), `${k}.yaml`, { env: {} }))];
    for (const loaded of drills) {
      const plan = await buildPlan(loaded, options);
      assert.equal(plan.steps.length, loaded.spec.steps.length, loaded.file);
      assert.ok(plan.stack.nodes.length >= 2, loaded.file);
      const text = renderPlan(plan);
      assert.match(text, /^dry run: /, loaded.file);
      for (const section of ['drill', 'engine', 'stack', 'load', 'steps', 'objectives', 'measure', 'abortIf', 'outputs'])
        assert.match(text, new RegExp(`^${section} `, 'm'), `${loaded.file}: ${section}`);
      assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan, 'plain JSON');
    }
  });

  it('the reference drill: nodes with their images, the role target at its time, Sentinel failover, objectives', async () => {
    const plan = await buildPlan(await loadDrillFile(join(DRILLS, 'redis-sentinel-kill-master.yaml')), options);
    assert.deepEqual(
      plan.stack.nodes.map((n) => `${n.name}: ${n.role}`),
      ['redis-1: master at the start', 'redis-2: replica', 'sentinel-1: Sentinel', 'sentinel-2: Sentinel', 'sentinel-3: Sentinel', 'app-1: fixture app (the load goes through it)'],
    );
    for (const node of plan.stack.nodes) assert.match(node.image, node.name.startsWith('app') ? /^drill\/app/ : /^drill\/redis/);
    assert.match(plan.stack.failover, /^Sentinel, by itself: a master unreachable for 1s is down once 2 of 3 Sentinels agree/);
    assert.deepEqual(plan.steps[0], {
      index: 0,
      atMs: 3000,
      action: 'kill (SIGKILL: no clean shutdown)',
      target: 'primary (whichever node the Sentinels name master at 3s)',
      heal: 'not started again: down until the stack is removed at the end',
    });
    assert.equal(plan.steps[1]!.atMs, null);
    assert.deepEqual(
      plan.objectives.map((o) => o.name),
      ['rto', 'unexpectedWrites', 'availability'],
    );
    assert.match(plan.objectives[2]!.bound, /at least 99\.999% with MTBF 90d: an RTO of at most 77\.8 s/);
    assert.equal(plan.load.writes, 300 * 12);
    assert.match(plan.load.probe, /^probe stream \(by default\): 200 writes\/s over 64 connections, 250ms timeout/);
    assert.equal(plan.engine, process.env.DOCKER_HOST || 'unix:///var/run/docker.sock');
  });

  it('a killed primary that a later rejoin brings back is not called down for good', async () => {
    const cycle = await buildPlan(await loadDrillFile(join(DRILLS, 'mysql-failover-rejoin-failback.yaml')), options);
    assert.equal(cycle.steps[0]!.heal, 'not started again by the fault: the rejoin (steps[5]) starts it again and makes it a replica');
    const named = await buildPlan(
      loadDrillText(
        'name: t\nstack: { kind: mysql-replication, replicas: 2 }\nload: { rate: 10, duration: 10s }\nsteps:\n  - { at: 1s, fault: stop, target: db-3 }\n  - { action: rejoin, node: db-2 }\n  - { at: 3s, fault: kill, target: db-2 }\n  - { action: rejoin, node: db-2 }\n',
        't.yaml',
        { env: {} },
      ),
      options,
    );
    // db-3 is never rejoined; db-2's own rejoin comes after its kill.
    assert.equal(named.steps[0]!.heal, 'not started again: down until the stack is removed at the end');
    assert.match(named.steps[2]!.heal!, /the rejoin \(steps\[3\]\) starts it again/);
  });

  it('groups, node names, heals after a duration, runbook steps, the detector, compose', async () => {
    const split = await buildPlan(await loadDrillFile(join(DRILLS, 'redis-split-brain.yaml')), options);
    assert.match(
      split.steps[0]!.target!,
      /^\[primary \(whichever node the Sentinels name master at 3s\), app-2 \(a fixture app\)\] \| \[replicas \(every replica at 3s\), sentinels \(sentinel-1 … sentinel-3\), app-1 \(a fixture app\)\]$/,
    );
    assert.match(split.steps[0]!.heal!, /^rules removed 6s after it is in effect \(about 9s\)$/);
    assert.ok(split.stack.notes.some((n) => n.startsWith('network faults: ')));

    const runbook = await buildPlan(await loadDrillFile(join(DRILLS, 'mysql-kill-primary.yaml')), options);
    assert.deepEqual(
      runbook.steps.map((s) => s.action.split(/[ (;:]/)[0]),
      ['kill', 'wait', 'promote', 'repoint', 'wait'],
    );
    assert.match(runbook.steps[0]!.target!, /^primary \(whichever database is writable and not replicating at 3s\)$/);
    assert.equal(runbook.stack.failover, 'the runbook steps below (nothing fails over by itself)');

    const auto = await buildPlan(await loadDrillFile(join(DRILLS, 'mysql-kill-primary-auto.yaml')), options);
    assert.match(auto.stack.failover, /^drill's detector: checks the primary every /);

    const compose = await buildPlan(await loadDrillFile(join(DRILLS, 'compose-redis-kill-master.yaml')), options);
    assert.deepEqual(
      compose.stack.nodes.map((n) => n.image),
      ['', ''],
      'a compose stack runs your images',
    );
    assert.match(compose.stack.notes[0]!, /Compose project drill-ref/);
    assert.match(compose.load.probe, /^probe stream off: a compose stack is your own system/);
    assert.equal(compose.steps[0]!.heal, 'started again at the end of the run (stack.restore)');

    const targets = await buildPlan(
      loadDrillText(
        'name: t\nstack: { kind: mysql-replication, replicas: 2 }\nload: { rate: 10, duration: 10s }\nsteps:\n  - { at: 1s, fault: pause, target: db-2, duration: 2s }\n  - { at: 4s, fault: stop, target: any-replica }\n',
        't.yaml',
      ),
      options,
    );
    assert.equal(targets.steps[0]!.target, 'db-2 (a replica at the start)');
    assert.equal(targets.steps[0]!.heal, 'unpaused 2s after it is in effect (about 3s)');
    assert.equal(targets.steps[1]!.target, 'any-replica (a replica drawn at random at 4s)');
  });

  it("a fault's plan says network exactly when its plug-in does", () => {
    for (const kind of Object.keys(faultPlugins) as (keyof typeof faultPlugins)[]) assert.equal(faultPlans[kind].network, faultPlugins[kind].network, kind);
  });
});

describe('drill run --dry-run', () => {
  it('prints the plan and exits 0 without the engine client, on a socket that does not exist; nothing is written', async () => {
    const out = join(dir, 'reports');
    for (const file of ['redis-sentinel-kill-master.yaml', 'mysql-backup-dump.yaml', 'compose-mariadb-restart-replica.yaml']) {
      const run = await drill(dir, ['run', join(DRILLS, file), '--dry-run', '--out', out]);
      assert.equal(run.code, 0, `${file}: ${run.stderr}`);
      assert.match(run.stdout, /^dry run: what `drill run .*` would do\. Nothing is started, nothing is written, and the engine is not contacted\.\n/);
      assert.match(run.stdout, /^engine {6}unix:\/\/\/nonexistent\/drill-test-docker\.sock: /m);
      assert.equal(run.stderr, '');
    }
    await assert.rejects(stat(out), { code: 'ENOENT' }, 'a dry run created the reports directory');
  });

  it('--json prints the plan as one JSON object; secrets from the environment are masked', async () => {
    const secret = 'dry-run-root-secret-4711';
    const run = await drill(dir, ['run', join(DRILLS, 'compose-mariadb-restart-replica.yaml'), '--dry-run', '--json'], { DRILL_MYSQL_ROOT_PASSWORD: secret });
    assert.equal(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout);
    assert.equal(plan.dryRun, true);
    assert.deepEqual(plan.drill.variables[1], { name: 'DRILL_MYSQL_ROOT_PASSWORD', from: 'environment', secret: true });
    assert.ok(!run.stdout.includes(secret));
    // Written into the description, the secret is masked in the plan as everywhere else.
    const file = join(dir, 'leaky.yaml');
    await writeFile(
      file,
      'name: leaky\ndescription: "root password ${DB_PASSWORD}"\nstack: { kind: redis-sentinel }\nload: { rate: 10, duration: 10s }\nsteps:\n  - { at: 1s, fault: kill, target: primary }\n',
    );
    for (const json of [[], ['--json']]) {
      const leaky = await drill(dir, ['run', file, '--dry-run', ...json], { DB_PASSWORD: secret });
      assert.equal(leaky.code, 0, leaky.stderr);
      assert.ok(!leaky.stdout.includes(secret), leaky.stdout);
      assert.match(leaky.stdout, /root password \*\*\*/);
    }
  });

  it('an invalid drill file, an unset variable or a bad flag: exit 2 with the reason, as drill run', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nstack: { kind: redis-sentinel }\nload: { rate: fast, duration: 10s }\nsteps:\n  - { at: 1s, fault: kill, target: primary }\n');
    const bad = await drill(dir, ['run', file, '--dry-run']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.yaml:3:15: load\.rate: expected an integer, got string "fast"/);
    assert.equal(bad.stdout, '');

    const unset = join(dir, 'unset.yaml');
    await writeFile(
      unset,
      'name: unset\nstack: { kind: redis-sentinel, password: "${DRILL_TEST_UNSET_PASSWORD}" }\nload: { rate: 10, duration: 10s }\nsteps:\n  - { at: 1s, fault: kill, target: primary }\n',
    );
    const missing = await drill(dir, ['run', unset, '--dry-run']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /unset\.yaml:2:43: stack\.password: environment variable DRILL_TEST_UNSET_PASSWORD is not set \(write \$\{DRILL_TEST_UNSET_PASSWORD:-default\} for a default\)/);

    const url = await drill(dir, ['run', join(DRILLS, 'redis-stop-replica.yaml'), '--dry-run', '--notify-url', 'http://example.com/hook']);
    assert.equal(url.code, 2);
    assert.match(url.stderr, /^drill: --notify-url: /m);
  });

  it('drill schedule --dry-run is the same idea: what would happen (the next times), nothing run, no engine client', async () => {
    const file = join(dir, 'nightly.yaml');
    await writeFile(file, 'name: nightly\nschedule: "30 3 * * *"\nstack: { kind: redis-sentinel }\nload: { rate: 10, duration: 10s }\nsteps:\n  - { at: 1s, fault: kill, target: primary }\n');
    const text = await drill(dir, ['schedule', file, '--dry-run', '--timezone', 'UTC']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^dry run: when `drill schedule` would run each drill\. Nothing is run; `drill run FILE --dry-run` shows what a run would do\.\n\nnightly {2}"30 3 \* \* \*" {2}.*nightly\.yaml\n {2}next: .*T03:30:00\.000Z, .*T03:30:00\.000Z, .*T03:30:00\.000Z\n$/,
    );
    const json = await drill(dir, ['schedule', file, '--dry-run', '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).dryRun, true);
    const url = await drill(dir, ['schedule', file, '--dry-run', '--notify-url', 'http://example.com/hook']);
    assert.equal(url.code, 2);
    assert.equal(url.stdout, '');
  });
});
