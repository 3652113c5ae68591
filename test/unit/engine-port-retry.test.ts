import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Docker } from '../../src/engine/docker-client.js';
import { freeLocalPort, startContainer } from '../../src/engine/resources.js';
import type { RunIdentity } from '../../src/engine/labels.js';

// A host port the engine refuses at start is retried with another port, on a local engine too; one
// process does not hand out again any of the latest 2,048 ports it handed out.

interface Created {
  hostPort: string;
  removed: boolean;
}

function fakeDocker(refusals: number): { docker: Docker; created: Created[] } {
  const created: Created[] = [];
  const docker = {
    createContainer: (options: { HostConfig: { PortBindings: Record<string, { HostPort: string }[]> } }) => {
      const record: Created = { hostPort: options.HostConfig.PortBindings['6379/tcp']?.[0]?.HostPort ?? '', removed: false };
      created.push(record);
      const attempt = created.length;
      return Promise.resolve({
        start: () =>
          attempt <= refusals
            ? Promise.reject(
                new Error(`(HTTP code 500) server error - driver failed programming external connectivity on endpoint x: Bind for 127.0.0.1:${record.hostPort} failed: port is already allocated`),
              )
            : Promise.resolve(),
        remove: () => {
          record.removed = true;
          return Promise.resolve();
        },
        inspect: () =>
          Promise.resolve({
            Id: `id-${String(attempt)}`,
            NetworkSettings: { Ports: { '6379/tcp': [{ HostIp: '127.0.0.1', HostPort: record.hostPort }] }, Networks: { net: { IPAddress: '172.30.0.2', Gateway: '172.30.0.1' } } },
          }),
      });
    },
  };
  return { docker: docker as unknown as Docker, created };
}

const run: RunIdentity = { runId: 'porttest', drillName: 'port-test' };
const plan = { node: 'redis-1', name: 'drill-porttest-redis-1', role: 'redis', image: 'drill/redis:x', cmd: [], publish: [6379], networkName: 'net' };

describe('host ports', () => {
  it('retries a start refused for an allocated port with a new port, removing the refused container', async () => {
    const { docker, created } = fakeDocker(2);
    const started = await startContainer(docker, run, plan);
    assert.equal(created.length, 3);
    assert.deepEqual(
      created.map((c) => c.removed),
      [true, true, false],
    );
    assert.equal(new Set(created.map((c) => c.hostPort)).size, 3, 'each attempt asks for a different port');
    assert.equal(started.ports[6379], Number(created[2]?.hostPort));
  });

  it('gives up after five retries with an infrastructure error naming the container', async () => {
    const { docker, created } = fakeDocker(100);
    await assert.rejects(startContainer(docker, run, plan), /container drill-porttest-redis-1 .* did not start: .*port is already allocated/);
    assert.equal(created.length, 6);
  });

  it('does not hand out again a port among the latest 2048 it handed out', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 2600; i++) ports.push(await freeLocalPort());
    const lastAt = new Map<number, number>();
    ports.forEach((port, i) => {
      const before = lastAt.get(port);
      assert.ok(before === undefined || i - before > 2048, `port ${port} handed out at ${before} and again at ${i}`);
      lastAt.set(port, i);
    });
  });
});
