// What does tracking cost? Plain autocannon at max rate vs the tracked, paced load, against a trivial
// HTTP server on 127.0.0.1 (in a child process, so loader and server each get a core), plus the memory a
// tracked write costs.
//
//   node --expose-gc --import tsx bench/load-path.ts            (~35 s)
//
// Numbers are machine-dependent; print them, do not assert on them.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createTrackedLoad } from '../src/load/tracked-load.js';
import { WriteLog } from '../src/load/write-log.js';
import { createRunClock } from '../src/util/clock.js';

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

interface Row {
  what: string;
  declared: string;
  seconds: number;
  achievedPerSec: number;
  ok?: number;
  late?: number;
  dropped?: number;
  maxLagMs?: number;
  cpuUsPerWrite: number;
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, url: `http://127.0.0.1:${chunk.toString().trim()}` };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function plain(url: string, seconds: number, connections: number): Promise<Row> {
  const cpu = process.cpuUsage();
  const result = await autocannon({ url: `${url}/write?id=1`, method: 'POST', connections, pipelining: 1, duration: seconds });
  const total = result.requests.total;
  return {
    what: `plain autocannon, ${connections} conns`,
    declared: 'max',
    seconds,
    achievedPerSec: total / seconds,
    ok: result['2xx'],
    cpuUsPerWrite: (cpuMs(cpu) * 1000) / total,
  };
}

async function tracked(url: string, seconds: number, rate: number, connections: number): Promise<Row> {
  const load = createTrackedLoad({ url, rate, connections, timeoutMs: 2000, clock: createRunClock() });
  const cpu = process.cpuUsage();
  await load.start();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const elapsedS = (performance.now() - t0) / 1000;
  await load.stop();
  const s = load.stats();
  return {
    what: `tracked, ${connections} conns`,
    declared: String(rate),
    seconds,
    achievedPerSec: s.sentWrites / elapsedS,
    ok: s.ok,
    late: s.lateSends,
    dropped: s.droppedSlots,
    maxLagMs: s.maxSendLagMs,
    cpuUsPerWrite: (cpuMs(cpu) * 1000) / Math.max(1, s.sentWrites),
  };
}

function settle(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

function memory(): { heap: number; buffers: number } {
  settle();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

function memoryPerWrite(n: number): { logBytes: number; historyBytes: number; firstReadMs: number; pollReadMs: number } {
  const before = memory();
  const log = new WriteLog(1, 1024);
  for (let i = 0; i < n; i++) {
    const id = log.begin(i * 0.1, i * 0.1 + 0.3);
    log.complete(id, i % 50 === 0 ? 'fail' : 'ok', i * 0.1 + 2, i % 50 === 0 ? 'http 503 READONLY' : undefined);
  }
  const withLog = memory();
  let t = performance.now();
  const history = log.records(0);
  const firstReadMs = performance.now() - t;
  const withHistory = memory();
  // a runner polling history() while the load runs: ~100 new writes between polls
  for (let i = 0; i < 100; i++) log.complete(log.begin(0, 0), 'ok', 1);
  t = performance.now();
  log.records(0);
  const pollReadMs = performance.now() - t;
  const logBytes = (withLog.heap + withLog.buffers - before.heap - before.buffers) / n;
  const historyBytes = (withHistory.heap - withLog.heap) / history.length;
  return { logBytes, historyBytes, firstReadMs, pollReadMs };
}

function table(rows: Row[]): string {
  const head = ['load', 'declared/s', 's', 'achieved/s', 'ok', 'late', 'dropped', 'max lag ms', 'loader CPU µs/write'];
  const body = rows.map((r) => [
    r.what,
    r.declared,
    String(r.seconds),
    r.achievedPerSec.toFixed(0),
    r.ok === undefined ? '' : String(r.ok),
    r.late === undefined ? '' : String(r.late),
    r.dropped === undefined ? '' : String(r.dropped),
    r.maxLagMs === undefined ? '' : r.maxLagMs.toFixed(1),
    r.cpuUsPerWrite.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { child, url } = await startServer();
  try {
    const rows: Row[] = [];
    rows.push(await plain(url, 10, 10));
    rows.push(await tracked(url, 10, 100_000, 10)); // far above capacity: what the tracked path sustains
    rows.push(await tracked(url, 5, 10_000, 32)); // a high rate it can hold: pacing accuracy under load
    console.log(`load path against a trivial server on 127.0.0.1 (node ${process.version}, server in a child process)\n`);
    console.log(table(rows));

    const n = 1_000_000;
    const gcNote = (globalThis as { gc?: () => void }).gc ? '' : '  (no --expose-gc: noisy)';
    const { logBytes, historyBytes, firstReadMs, pollReadMs } = memoryPerWrite(n);
    console.log(`\nmemory per tracked write, ${n} writes${gcNote}`);
    console.log(`  kept while the load runs (WriteLog, typed arrays):  ${logBytes.toFixed(1)} bytes/write (heap + array buffers, incl. growth slack)`);
    console.log(`  history() as WriteRecord objects (when read):       ${historyBytes.toFixed(1)} bytes/record (heap)`);
    console.log(`  history() time: first read ${firstReadMs.toFixed(0)} ms, a later poll (100 new writes) ${pollReadMs.toFixed(1)} ms`);
  } finally {
    child.kill();
  }
}

await main();
