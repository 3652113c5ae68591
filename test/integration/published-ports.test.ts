import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { imageRefs } from '../../src/engine/images.js';
import { asDockerGroupUser, dockerGroupUid, runDrillAsDockerGroupUser } from './docker-group-user.js';
import { docker, leftovers, requireEngine, runProgram } from './helpers.js';

// Docker Desktop, macOS and remote engines: the host where drill runs cannot reach the containers'
// addresses, only ports the engine publishes. drill never needs more (docs/scaling.md): it reaches every
// server and the app through ports published on 127.0.0.1 and nothing else. Here that host is made: for
// the docker-group user only, the kernel refuses every connection whose original destination is a private
// address (Docker's pools), while a connection to 127.0.0.1 that the engine forwards to a container
// (docker-proxy, or its DNAT whose original destination stays 127.0.0.1) passes. A real drill with a
// partition, a runbook and drill's own failure detector must still pass for that user.

const COMMENT = `drill-test-published-ports-${process.pid}`;
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

function ruleArgs(uid: number, subnet: string): string[] {
  return ['-m', 'owner', '--uid-owner', String(uid), '-m', 'conntrack', '--ctorigdst', subnet, '-m', 'comment', '--comment', COMMENT, '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
}

/** TCP connect as the test user (or as root); 'ok', or the error code. */
async function connectAs(asUser: boolean, host: string, port: number): Promise<string> {
  const script = `const s=require('net').connect(${port},${JSON.stringify(host)});s.setTimeout(3000,()=>{console.log('ETIMEDOUT');process.exit(0)});s.on('connect',()=>{console.log('ok');s.destroy()});s.on('error',e=>console.log(e.code))`;
  const { command, prefix } = asUser ? asDockerGroupUser() : { command: process.execPath, prefix: [] };
  const run = await runProgram(command, [...prefix, '-e', script], { cwd: '/', timeoutMs: 10_000 });
  return run.stdout.trim();
}

describe('published ports only: a host that cannot reach container addresses', () => {
  let uid: number;
  let probe: { id: string; ip: string; port: number } | undefined;
  const rules: string[][] = [];

  before(async () => {
    await requireEngine();
    assert.equal(process.getuid?.(), 0, 'this test installs an iptables rule for the docker-group user: run the tests as root (.ci/run does)');
    asDockerGroupUser();
    uid = dockerGroupUid();
    for (const subnet of PRIVATE) {
      const args = ruleArgs(uid, subnet);
      execFileSync('iptables', ['-w', '-I', 'OUTPUT', '1', ...args]);
      rules.push(args);
    }
    // A Redis of the test's own, published on 127.0.0.1, to show the rule bites where it should only.
    const container = await docker.createContainer({
      Image: (await imageRefs()).redis.tag,
      Cmd: ['redis-server', '--protected-mode', 'no'],
      Labels: { 'drill.test': 'published-ports' },
      ExposedPorts: { '6379/tcp': {} },
      HostConfig: { PortBindings: { '6379/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, AutoRemove: true },
    });
    await container.start();
    const info = await container.inspect();
    probe = { id: info.Id, ip: info.NetworkSettings.Networks.bridge?.IPAddress ?? '', port: Number(info.NetworkSettings.Ports['6379/tcp']?.[0]?.HostPort) };
  });

  after(async () => {
    for (const args of rules) execFileSync('iptables', ['-w', '-D', 'OUTPUT', ...args]);
    if (probe)
      await docker
        .getContainer(probe.id)
        .remove({ force: true })
        .catch(() => {});
  });

  it("refuses the user's connections to a container's address, not to its published port, and not root's", async () => {
    assert.ok(probe && probe.ip && probe.port, 'the probe container has an address and a published port');
    assert.equal(await connectAs(true, probe.ip, 6379), 'ECONNREFUSED');
    assert.equal(await connectAs(true, '127.0.0.1', probe.port), 'ok');
    assert.equal(await connectAs(false, probe.ip, 6379), 'ok');
  });

  it('a real drill with a partition of the primary (drill itself cut off with it), a runbook and a detector passes', { timeout: 300_000 }, async () => {
    const run = await runDrillAsDockerGroupUser('drills/mysql-partition-primary.yaml', 'published-ports');
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason ?? ''}\n${run.stderr.slice(-2000)}`);
    assert.equal(run.code, 0);
    assert.ok((result.measured?.ackedWrites ?? 0) > 0, 'writes were acknowledged through the published port');
    assert.deepEqual(await leftovers(result.runId), []);
  });
});
