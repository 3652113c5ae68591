import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { probePayload } from '../../src/faults/network/probes.js';
import { PROBE_JS, PROXY_JS } from '../../src/faults/network/scripts.js';

// The two programs drill runs inside helper containers, run here with this Node against 127.0.0.1.

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'drill-netscripts-'));
  // .cjs: they are CommonJS, whatever package.json a parent of the temp directory may have.
  await writeFile(path.join(dir, 'proxy.cjs'), PROXY_JS);
  await writeFile(path.join(dir, 'probe.cjs'), PROBE_JS);
});
after(() => rm(dir, { recursive: true, force: true }));

/**
 * A server that answers each character at once with "<char>!" (per character, not per chunk: TCP may
 * coalesce two quick writes on a busy machine) and, on the client's end, ends after a last "bye".
 */
function echoServer(): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', (d) => s.write(String(d).replace(/./gs, (ch) => `${ch}!`)));
      s.on('end', () => s.end('bye'));
    });
    server.listen(0, '127.0.0.1', () => {
      resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() });
    });
  });
}

async function startProxy(upstreamPort: number, delayMs: number, jitterMs: number): Promise<{ port: number; child: ChildProcess }> {
  const portsFile = path.join(dir, `ports-${upstreamPort}`);
  const child = spawn(
    process.execPath,
    [path.join(dir, 'proxy.cjs'), JSON.stringify({ routes: [{ host: '127.0.0.1', port: upstreamPort }], delayMs, jitterMs, delayIn: false, delayOut: true, portsFile })],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    const text = await readFile(portsFile, 'utf8').catch(() => '');
    if (text) return { port: (JSON.parse(text) as { listen: number }[])[0]!.listen, child };
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill();
  throw new Error('proxy did not report its port');
}

function runProbe(op: object): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(dir, 'probe.cjs'), JSON.stringify(op)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out.trim().split('\n'));
      else reject(new Error(`probe exit ${code}`));
    });
  });
}

describe('delaying proxy', () => {
  it('holds each answer delay ± jitter, keeps the order, and delivers the answer after the client closed its side', async () => {
    const upstream = await echoServer();
    const proxy = await startProxy(upstream.port, 80, 30);
    try {
      const socket = net.connect({ host: '127.0.0.1', port: proxy.port, allowHalfOpen: true });
      await new Promise((r) => socket.once('connect', r));
      const arrivals: { text: string; ms: number }[] = [];
      const t0 = performance.now();
      socket.on('data', (d) => arrivals.push({ text: String(d), ms: performance.now() - t0 }));
      const closed = new Promise((r) => socket.on('close', r));
      for (const word of ['a', 'b', 'c', 'd']) {
        socket.write(word);
        await new Promise((r) => setTimeout(r, 5));
      }
      socket.end();
      await closed;
      const text = arrivals.map((a) => a.text).join('');
      assert.equal(text, 'a!b!c!d!bye', 'order or content changed');
      assert.ok(arrivals[0]!.ms >= 80 - 30 - 2, `first answer after ${arrivals[0]!.ms} ms`);
      assert.ok(arrivals[arrivals.length - 1]!.ms < 80 + 30 + 200, `last answer after ${arrivals.at(-1)!.ms} ms`);
    } finally {
      proxy.child.kill();
      upstream.close();
    }
  });

  it('passes requests at once (only the answers are delayed)', async () => {
    let receivedAt = 0;
    let received: () => void = () => {};
    const arrived = new Promise<void>((r) => (received = r));
    const server = net.createServer((s) =>
      s.on('data', () => {
        receivedAt = performance.now();
        received();
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const proxy = await startProxy((server.address() as net.AddressInfo).port, 200, 0);
    try {
      const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
      await new Promise((r) => socket.once('connect', r));
      const t0 = performance.now();
      socket.write('x');
      await Promise.race([arrived, new Promise((r) => setTimeout(r, 2000))]);
      // Well under the 200 ms the answers are held: the request itself was not (margin for a busy machine).
      assert.ok(receivedAt > 0 && receivedAt - t0 < 150, `request reached the server after ${receivedAt - t0} ms`);
      socket.destroy();
    } finally {
      proxy.child.kill();
      server.close();
    }
  });
});

describe('prober', () => {
  it('tells an open port from a refused one', async () => {
    const upstream = await echoServer();
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => {
          resolve(port);
        });
      });
    });
    try {
      const [line] = await runProbe({
        op: 'tcp',
        probes: [
          { host: '127.0.0.1', port: upstream.port, timeoutMs: 1000 },
          { host: '127.0.0.1', port: closedPort, timeoutMs: 1000 },
        ],
      });
      const { results } = JSON.parse(line!) as { results: { status: string }[] };
      assert.deepEqual(
        results.map((r) => r.status),
        ['open', 'refused'],
      );
    } finally {
      upstream.close();
    }
  });

  it('counts datagrams per tag until told to stop, however late the sender starts', async () => {
    const stopFile = path.join(dir, 'udp-stop');
    const listener = spawn(process.execPath, [path.join(dir, 'probe.cjs'), JSON.stringify({ op: 'udp-listen', stopFile, maxMs: 30_000 })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const port = await new Promise<number>((resolve) =>
      listener.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /"ready":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      }),
    );
    // A sender that starts well after the listener (a busy machine): nothing it sends may count as lost.
    await new Promise((r) => setTimeout(r, 1000));
    const [sent] = await runProbe({ op: 'udp-send', host: '127.0.0.1', port, count: 25, intervalMs: 2, tag: 'f0' });
    assert.deepEqual(JSON.parse(sent!), { sent: 25, errors: 0 });
    assert.equal(listener.exitCode, null, 'the listener stopped before it was told to');
    const closed = new Promise((r) => listener.on('close', r));
    await writeFile(stopFile, '');
    await closed;
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), { received: { f0: 25 } });
    await assert.rejects(readFile(stopFile), 'the listener leaves its stop file behind');
  });
});

describe('round-trip payloads', () => {
  it("PostgreSQL's is a protocol 3.0 startup message whose length field is its size, unchanged as UTF-8", () => {
    const payload = probePayload(5432);
    assert.ok(payload);
    const bytes = Buffer.from(payload, 'utf8');
    assert.deepEqual(bytes, Buffer.from(payload, 'latin1'), 'only ASCII and NULs: written as a string it stays the same bytes');
    assert.equal(bytes.readUInt32BE(0), bytes.length);
    assert.equal(bytes.readUInt32BE(4), 3 << 16);
    assert.deepEqual(bytes.subarray(8).toString('latin1').split('\0'), ['user', 'x', '', '']);
  });
});
