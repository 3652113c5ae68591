import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lbOf, savedLog, type Run } from './lb-helpers.js';
import { docker, leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';

// The Redis front door (lb-vip, front: redis): HAProxy with a role:master tcp-check between the app and
// the Redis nodes. The claims are checked against the nodes' own logs (HAProxy's "is UP/DOWN", Sentinel's
// promotion, the app's "primary is now") and the data against the surviving master itself, read here with
// redis-cli in the kept stack, not through drill.

async function execIn(container: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => stream.on('end', resolve));
  // The engine multiplexes stdout/stderr: 8-byte frame headers before each chunk.
  const raw = Buffer.concat(chunks);
  let out = '';
  for (let i = 0; i + 8 <= raw.length;) {
    const size = raw.readUInt32BE(i + 4);
    out += raw.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  return out;
}

describe('lb-redis-haproxy-kill-master', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-redis-haproxy-kill-master.yaml', ['--keep-stack']);
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    if (run) await removeKeptRun(run.result.runId);
  });

  it('the app wrote through the VIP; HAProxy took redis-1 out and put redis-2 in only after Sentinel promoted it', async () => {
    assert.equal(run.result.verdict, 'pass', `${run.result.reason} | ${run.result.measured?.notes.join(' | ')}\n${run.stderr.slice(-2000)}`);
    assert.equal(run.code, 0);
    const lb = lbOf(run.result);
    assert.equal(lb.front, 'redis');
    assert.deepEqual(lb.backends, ['redis-1', 'redis-2']);
    assert.equal(lb.loadUrl, `redis://${lb.vip}:6379`);
    const fault = run.result.faults[0]!;
    assert.ok(fault.container.endsWith('-redis-1'), `primary resolved to ${fault.container}`);
    const at = fault.effectFromMs ?? fault.injectedAtMs;
    // The app's own log: its Redis client was pointed at the VIP before the load.
    const app = await savedLog(run, 'app-1');
    assert.ok(
      app.some((l) => l.text === `primary is now ${lb.vip}` && l.atMs < 0),
      'the app never said it writes to the VIP',
    );
    // Sentinel's own log: when it told redis-2 to become master (SLAVEOF NO ONE; it logs +promoted-slave only
    // when its next INFO poll sees the new role, which HAProxy's check may see first).
    const promotions = (await Promise.all(['sentinel-1', 'sentinel-2', 'sentinel-3'].map((n) => savedLog(run, n))))
      .flat()
      .filter((l) => /\+failover-state-send-slaveof-noone/.test(l.text) && l.atMs > at);
    assert.ok(promotions.length > 0, 'no Sentinel promoted a replica after the kill');
    const promotedAtMs = Math.min(...promotions.map((l) => l.atMs));
    // The active LB node's HAProxy: redis-1 DOWN after the kill, redis-2 UP after the promotion (its tcp-check saw role:master).
    const active = lb.holders.find((w) => w.fromMs <= at && w.toMs > at)!.nodes[0]!;
    const log = await savedLog(run, active);
    const down = log.find((l) => /Server redis\/redis-1 is DOWN/.test(l.text) && l.atMs > at);
    const up = log.find((l) => /Server redis\/redis-2 is UP/.test(l.text) && l.atMs > at);
    assert.ok(down, `${active}'s HAProxy never took redis-1 out`);
    assert.ok(up, `${active}'s HAProxy never put redis-2 in`);
    assert.ok(up.atMs > promotedAtMs, `redis-2 UP at ${up.atMs} before Sentinel promoted it (${promotedAtMs})`);
    // The layer says the same as the logs, and puts it on the timeline.
    const row = lb.explain[0]!;
    assert.ok(
      row.removedMs !== null &&
        row.removedMs !== undefined &&
        Math.abs(row.removedMs - (Math.min(...lb.backendStates.filter((b) => !b.up && b.server === 'redis-1' && b.atMs > at).map((b) => b.atMs)) - at)) < 1,
    );
    assert.ok(run.result.events.some((e) => e.marker === 'backend-up' && e.message.includes('redis-2')));
    assert.ok(run.result.events.some((e) => e.marker === 'backend-down' && e.message.includes('redis-1')));
    // Writes came back only once redis-2 was in: the VIP is the app's only way to the data.
    const m = run.result.measured!;
    assert.ok(m.recoveredAtMs !== null && m.recoveredAtMs >= up.atMs - m.precisionMs - 5, `recovered at ${m.recoveredAtMs}, redis-2 UP at ${up.atMs}`);
  });

  it('the surviving master holds every acknowledged write but those drill counted lost, and its client is HAProxy, not the app', async () => {
    const prefix = run.result.faults[0]!.container.replace(/-redis-1$/, '');
    const master = `${prefix}-redis-2`;
    assert.match(await execIn(master, ['redis-cli', 'ROLE']), /^master/);
    const present = new Set((await execIn(master, ['redis-cli', 'SMEMBERS', 'drill:writes'])).split('\n').filter(Boolean).map(Number));
    const csv = await readFile(path.join(path.dirname(run.resultPath), 'writes.csv'), 'utf8');
    const acked = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter((c) => c[3] === 'ok')
      .map((c) => Number(c[0]));
    assert.ok(acked.length > 2000, `${acked.length} acknowledged writes`);
    const missing = acked.filter((id) => !present.has(id));
    assert.equal(missing.length, run.result.measured!.lostWrites, `redis-2 lacks ${missing.length} acknowledged writes, drill counted ${run.result.measured!.lostWrites}`);
    // Who wrote to redis-2 (CLIENT LIST: the connection whose last command was the app's SADD): a connection
    // from an LB node (HAProxy relaying the app's), never one from the app itself. (HAProxy's own checks
    // connect from the LB nodes too, but they send PING / INFO / QUIT.)
    const ipOf = async (name: string) => Object.values((await docker.getContainer(name).inspect()).NetworkSettings.Networks)[0]!.IPAddress;
    const clients = (await execIn(master, ['redis-cli', 'CLIENT', 'LIST']))
      .split('\n')
      .map((l) => ({ ip: /addr=([\d.]+):/.exec(l)?.[1], cmd: /cmd=(\S+)/.exec(l)?.[1] }))
      .filter((c) => c.ip !== undefined);
    const lbIps = await Promise.all(['lb-1', 'lb-2'].map((n) => ipOf(`${prefix}-${n}`)));
    const appIp = await ipOf(`${prefix}-app-1`);
    const writers = clients.filter((c) => c.cmd === 'sadd');
    assert.ok(writers.length > 0 && writers.every((c) => lbIps.includes(c.ip!)), `redis-2's writers: ${JSON.stringify(clients)} (LB nodes ${lbIps.join(', ')})`);
    assert.ok(!clients.some((c) => c.ip === appIp), `the app connected to redis-2 directly (${appIp})`);
  });

  it('leaves nothing behind once the kept stack is removed', async () => {
    await removeKeptRun(run.result.runId);
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});
