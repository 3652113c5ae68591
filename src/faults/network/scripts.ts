// Two small Node.js programs run by `node` inside a helper container (drill's redis image has nodejs).
// They are written to /tmp of the helper by its own command line when it starts (no image of their own).
// CommonJS and Node 18: Debian bookworm's nodejs.

export const PROBE_PATH = '/tmp/drill-probe.js';
export const PROXY_PATH = '/tmp/drill-proxy.js';

/**
 * The prober. argv[2] is one JSON op:
 *   {op:'tcp', probes:[{host,port,timeoutMs}]}   → {results:[{host,port,status,ms}]}   (status open|refused|timeout|error:<code>)
 *   {op:'udp-listen', stopFile, maxMs}            → {ready:port} at once, then {received:{tag:count}} when stopFile
 *                                                   appears (the runner drops it once every sender is done), or after maxMs
 *   {op:'udp-send', host, port, count, intervalMs, tag} → {sent, errors}
 *   {op:'rtt', host, port, payload, samples, timeoutMs} → {ms:[...]}: fresh connections one after the other, each
 *                                                   timed from the request (server-first: the connect call) to the first byte back
 */
export const PROBE_JS = String.raw`'use strict';
const net = require('net');
const dgram = require('dgram');
const fs = require('fs');
const op = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
function tcp(p) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = net.connect({ host: p.host, port: p.port });
    let done = false;
    const finish = (status) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ host: p.host, port: p.port, status, ms: +(performance.now() - t0).toFixed(1) });
    };
    const timer = setTimeout(() => finish('timeout'), p.timeoutMs);
    s.once('connect', () => finish('open'));
    s.once('error', (e) => finish(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code));
  });
}
if (op.op === 'tcp') {
  Promise.all(op.probes.map(tcp)).then((results) => out({ results }));
} else if (op.op === 'udp-listen') {
  const sock = dgram.createSocket('udp4');
  const received = {};
  sock.on('message', (msg) => {
    const tag = String(msg).split(':')[0];
    received[tag] = (received[tag] || 0) + 1;
  });
  // No fixed window: on a slow machine the sender may start late, and a window that closes before it is done
  // counts its last datagrams as lost. The runner drops stopFile once the senders have finished.
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    try { fs.unlinkSync(op.stopFile); } catch (e) {}
    out({ received });
    sock.close();
    process.exit(0);
  };
  sock.bind(0, () => {
    out({ ready: sock.address().port });
    setInterval(() => { if (fs.existsSync(op.stopFile)) finish(); }, 5);
    setTimeout(finish, op.maxMs);
  });
} else if (op.op === 'udp-send') {
  const sock = dgram.createSocket('udp4');
  sock.on('error', () => {});
  let sent = 0, errors = 0, i = 0;
  const tick = () => {
    if (i >= op.count) { setTimeout(() => { out({ sent, errors }); sock.close(); }, 20); return; }
    const n = i++;
    sock.send(op.tag + ':' + n, op.port, op.host, (e) => { if (e) errors++; else sent++; });
    setTimeout(tick, op.intervalMs);
  };
  tick();
} else if (op.op === 'rtt') {
  const one = () => new Promise((resolve, reject) => {
    // Server-first (no payload): timed from the connect call, not from the connect event, which a busy
    // process may see late (shortening the round trip below what the link holds); the handshake is ~0.1 ms.
    let t0 = performance.now();
    const s = net.connect({ host: op.host, port: op.port, noDelay: true });
    const timer = setTimeout(() => { s.destroy(); reject(new Error('no answer within ' + op.timeoutMs + ' ms')); }, op.timeoutMs);
    s.once('connect', () => { if (op.payload) { t0 = performance.now(); s.write(op.payload); } });
    s.once('data', () => { clearTimeout(timer); s.destroy(); resolve(+(performance.now() - t0).toFixed(1)); });
    s.once('error', (e) => { clearTimeout(timer); reject(e); });
    s.once('end', () => { clearTimeout(timer); reject(new Error('closed without answering')); });
  });
  (async () => {
    const ms = [];
    for (let i = 0; i < op.samples; i++) ms.push(await one());
    out({ ms });
  })().catch((e) => { process.stderr.write(String(e && e.message || e) + '\n'); process.exit(1); });
} else {
  process.stderr.write('unknown op ' + op.op + '\n');
  process.exit(2);
}
`;

/**
 * The delaying TCP proxy. argv[2] is JSON {routes:[{host,port}], delayMs, jitterMs, delayIn, delayOut, portsFile}.
 * One listener per route on a free port; each accepted connection is forwarded to host:port. Every chunk
 * of a delayed direction is held delay ± jitter (uniform), never overtaking the previous one (order kept).
 * When every listener is up, writes [{port, listen}] to portsFile. Backpressure: a direction holding more
 * than 4 MiB pauses its reader.
 */
export const PROXY_JS = String.raw`'use strict';
const net = require('net');
const fs = require('fs');
const cfg = JSON.parse(process.argv[2]);
const now = () => performance.now();
const delayFor = () => Math.max(0, cfg.delayMs + (Math.random() * 2 - 1) * cfg.jitterMs);
function forward(from, to, delayed) {
  const queue = [];
  let timer = null, ending = false, bytes = 0;
  const flush = () => {
    timer = null;
    const t = now();
    while (queue.length && queue[0].at <= t) {
      const item = queue.shift();
      bytes -= item.chunk.length;
      if (!to.destroyed) to.write(item.chunk);
    }
    if (bytes < (1 << 20) && from.isPaused()) from.resume();
    if (queue.length) timer = setTimeout(flush, Math.max(0, queue[0].at - t));
    else if (ending && !to.destroyed) to.end();
  };
  from.on('data', (chunk) => {
    if (!delayed) { to.write(chunk); return; }
    const at = Math.max(now() + delayFor(), queue.length ? queue[queue.length - 1].at : 0);
    queue.push({ at, chunk });
    bytes += chunk.length;
    if (bytes > (4 << 20)) from.pause();
    if (!timer) timer = setTimeout(flush, Math.max(0, at - now()));
  });
  from.on('end', () => {
    ending = true;
    if (!timer && !queue.length && !to.destroyed) to.end();
  });
  from.on('close', (hadError) => {
    if (hadError || !ending) {
      clearTimeout(timer);
      queue.length = 0;
      if (typeof to.resetAndDestroy === 'function' && !to.destroyed && to.readyState === 'open') to.resetAndDestroy();
      else to.destroy();
    }
  });
}
const ports = [];
let pending = cfg.routes.length;
for (const route of cfg.routes) {
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    // Half-open on both sides: a client that sends and closes its side still gets the delayed answer.
    const upstream = net.connect({ host: route.host, port: route.port, noDelay: true, allowHalfOpen: true });
    client.on('error', () => {});
    upstream.on('error', () => {});
    forward(client, upstream, cfg.delayIn);
    forward(upstream, client, cfg.delayOut);
  });
  server.on('error', (e) => { process.stderr.write('proxy ' + route.port + ': ' + e.message + '\n'); process.exit(1); });
  server.listen(0, '0.0.0.0', () => {
    ports.push({ port: route.port, listen: server.address().port });
    if (--pending === 0) {
      fs.writeFileSync(cfg.portsFile + '.tmp', JSON.stringify(ports));
      fs.renameSync(cfg.portsFile + '.tmp', cfg.portsFile);
    }
  });
}
`;
