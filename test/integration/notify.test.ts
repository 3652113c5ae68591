import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { freeLocalPort } from '../../src/engine/resources.js';
import type { NotificationBody } from '../../src/outputs/notify-body.js';
import type { ResultJson } from '../../src/report/result.js';
import { repoRoot, runCli, tempDir } from './helpers.js';
import { startReceiver, type Receiver } from './notify-receiver.js';

// --notify-url through the real CLI, against a real HTTP receiver on 127.0.0.1. `drill report` re-sends a
// stored run's notification, so these need no engine; the real `drill run` path is checked in
// redis-kill-master.test.ts with the same receiver.

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'results');
const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
let receiver: Receiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** A run directory holding a copy of a stored fixture's result.json. */
async function runDir(fixture: string): Promise<{ run: string; result: ResultJson }> {
  const run = path.join(await tempDir('notify'), 'run');
  await mkdir(run);
  await copyFile(path.join(FIXTURES, `${fixture}.result.json`), path.join(run, 'result.json'));
  return { run, result: JSON.parse(await readFile(path.join(run, 'result.json'), 'utf8')) as ResultJson };
}

describe('drill report --notify-url', () => {
  it('posts one JSON body: a chat `text` with verdict, name, figures and report, and the fixture’s figures structured', async () => {
    receiver = await startReceiver('ok');
    const { run, result } = await runDir('fail-lost-writes');
    const cli = await runCli(['report', run, '--notify-url', receiver.url], { timeoutMs: 30_000 });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(receiver.requests.length, 1, 'exactly one POST');
    const [request] = receiver.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, '/hook');
    assert.match(request!.contentType ?? '', /^application\/json\b/);
    const body = JSON.parse(request!.body) as NotificationBody;

    const lines = body.text.split('\n');
    assert.equal(lines.length, 2, body.text);
    assert.match(lines[0]!, new RegExp(`^FAIL  ${result.drill.name}: RTO 2\\.551 s ± 269\\.7 ms, 25 lost writes; missed: Lost writes 25 \\(max 0\\), RPO 215\\.6 ms \\(max 100 ms\\)$`));
    assert.equal(lines[1], `report: ${path.join(run, 'report.html')}`);

    const d = body.drill;
    assert.equal(d.runId, result.runId);
    assert.equal(d.name, result.drill.name);
    assert.equal(d.verdict, 'fail');
    assert.equal(d.reason, result.reason);
    assert.equal(d.startedAt, result.startedAt);
    assert.equal(d.finishedAt, result.finishedAt);
    assert.equal(d.reportPath, path.join(run, 'report.html'));
    assert.equal(d.resultPath, path.join(run, 'result.json'));
    const m = result.measured!;
    for (const key of Object.keys(d.measured!) as (keyof NonNullable<typeof d.measured>)[]) assert.equal(d.measured![key], m[key], `measured.${key}`);
    assert.deepEqual(
      d.objectives.map((o) => [o.name, o.declared, o.measured, o.state]),
      result.objectives.map((o) => [o.name, o.declared, o.measured, o.met ? 'met' : 'missed']),
    );
    assert.equal(d.objectives.find((o) => o.name === 'rtoMs')!.precisionMs, 269.7);
    assert.match(cli.stdout, /^notify: notification sent to http:\/\/127\.0\.0\.1:\d+\/… \(HTTP 204, 1 attempt/m);
  });

  it('refuses a webhook off loopback before doing anything: exit 2, the rule and the way round it, no request', async () => {
    receiver = await startReceiver('ok');
    const { run } = await runDir('pass-redis-kill-master');
    const out = path.join(path.dirname(run), 'out');
    const bad = ['http://10.0.0.1/x', 'http://example.com/', 'https://hooks.slack.com/services/T0/B0/x', 'http://127.0.0.1.nip.io/hook', `ftp://127.0.0.1:${receiver.port}/hook`, 'not a url'];
    const invocations = [
      ...bad.map((url) => ['report', run, '--notify-url', url]),
      ...bad.slice(0, 2).flatMap((url) => [
        ['run', 'drills/redis-stop-replica.yaml', '--out', out, '--notify-url', url],
        ['schedule', 'drills/redis-stop-replica.yaml', '--cron', '0 3 * * *', '--dry-run', '--notify-url', url],
      ]),
    ];
    for (const args of invocations) {
      const started = Date.now();
      const cli = await runCli(args, { timeoutMs: 20_000 });
      assert.equal(cli.code, 2, `${args.join(' ')}: ${cli.stderr}`);
      assert.match(cli.stderr, /^drill: --notify-url: /m, args.join(' '));
      assert.match(cli.stderr, /only to 127\.0\.0\.1 \(loopback\)/);
      assert.match(cli.stderr, /local agent or forwarder listening on 127\.0\.0\.1/);
      assert.equal(cli.stdout, '', 'nothing ran');
      assert.ok(Date.now() - started < 10_000, `${args.join(' ')} took ${Date.now() - started} ms: did it run a drill?`);
    }
    assert.equal(await exists(path.join(run, 'report.html')), false, 'drill report rebuilt the report before refusing the URL');
    assert.equal(await exists(out), false, 'drill run created its reports directory before refusing the URL');
    assert.equal(receiver.requests.length, 0);
  });

  it('a receiver answering 500: one retry, then a warning on stderr; the reports are written and the exit code is unchanged', async () => {
    receiver = await startReceiver('error');
    const { run } = await runDir('fail-lost-writes');
    const cli = await runCli(['report', run, '--notify-url', receiver.url], { timeoutMs: 30_000 });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(receiver.requests.length, 2, 'the first POST and one retry');
    assert.equal(receiver.requests[0]!.body, receiver.requests[1]!.body, 'the retry sends the same body');
    assert.ok(receiver.requests[1]!.receivedAtMs - receiver.requests[0]!.receivedAtMs >= 900, 'the retry waits a moment');
    assert.match(
      cli.stderr,
      /^drill: warning: the notification to http:\/\/127\.0\.0\.1:\d+\/… was not delivered \(2 attempts, \d+ ms\): HTTP 500 Internal Server Error: receiver down for the test;/m,
    );
    assert.ok(await exists(path.join(run, 'report.html')));
    assert.match(cli.stdout, /^report: /m);
  });

  it('nothing listening: the network error is retried once, then a warning naming it', async () => {
    const port = await freeLocalPort();
    const { run } = await runDir('pass-redis-kill-master');
    const cli = await runCli(['report', run, '--notify-url', `http://127.0.0.1:${port}/`], { timeoutMs: 30_000 });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(
      cli.stderr,
      new RegExp(`^drill: warning: the notification to http://127\\.0\\.0\\.1:${port} was not delivered \\(2 attempts, \\d+ ms\\): connect ECONNREFUSED 127\\.0\\.0\\.1:${port};`, 'm'),
    );
  });

  it('a receiver that never answers: the 5 s timeout ends it, not retried, exit code unchanged', async () => {
    receiver = await startReceiver('never');
    const { run } = await runDir('pass-redis-kill-master');
    const started = Date.now();
    const cli = await runCli(['report', run, '--notify-url', receiver.url], { timeoutMs: 30_000 });
    const elapsedMs = Date.now() - started;
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(receiver.requests.length, 1, 'a timeout is not retried');
    assert.match(cli.stderr, /was not delivered \(1 attempt, \d+ ms\): no answer within 5000 ms;/);
    assert.ok(elapsedMs >= 5000 && elapsedMs < 12_000, `took ${elapsedMs} ms`);
  });
});
