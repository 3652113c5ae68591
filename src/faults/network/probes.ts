import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Docker } from '../../engine/docker-client.js';
import { InfraError } from '../../util/errors.js';
import { exec, execChecked } from '../../engine/docker-exec.js';
import type { Helper } from './helpers.js';
import { PROBE_PATH } from './scripts.js';

// Probes that prove a fault is in effect, run from inside the nodes' namespaces (helpers) or, for latency,
// from the runner through the node's port published on 127.0.0.1.

export type TcpStatus = 'open' | 'refused' | 'timeout' | `error:${string}`;

export interface TcpProbe {
  host: string;
  port: number;
  timeoutMs: number;
}

/** A refused connection still crossed the network: the path is open. */
export const pathOpen = (status: TcpStatus): boolean => status === 'open' || status === 'refused';

/** TCP connects from one helper, all at once; one exec. */
export async function tcpProbes(docker: Docker, from: Helper, probes: TcpProbe[]): Promise<{ status: TcpStatus; ms: number }[]> {
  if (!probes.length) return [];
  const res = await execChecked(docker, from.id, `probe from ${from.target.node}`, ['node', PROBE_PATH, JSON.stringify({ op: 'tcp', probes })], {
    timeoutMs: 10_000 + Math.max(...probes.map((p) => p.timeoutMs)),
  });
  const parsed = JSON.parse(lastLine(res.stdout)) as { results: { status: TcpStatus; ms: number }[] };
  return parsed.results;
}

/** Round trips from inside one helper's namespace to host:port (fresh connections, one after the other). */
export async function peerRoundTrips(docker: Docker, from: Helper, host: string, port: number, payload: string | null, samples: number, timeoutMs = 10_000): Promise<number[]> {
  const res = await execChecked(docker, from.id, `round trips from ${from.target.node}`, ['node', PROBE_PATH, JSON.stringify({ op: 'rtt', host, port, payload, samples, timeoutMs })], {
    timeoutMs: 10_000 + samples * timeoutMs,
  });
  return (JSON.parse(lastLine(res.stdout)) as { ms: number[] }).ms;
}

export interface UdpFlow {
  from: Helper;
  to: Helper;
  count: number;
  intervalMs: number;
}

/** Once every sender is done, how long in-flight datagrams get to arrive before the listeners stop counting. */
const UDP_DRAIN_MS = 150;
/** A listener stops by itself after this long even if no one tells it to (a runner that died mid-probe). */
const UDP_LISTEN_MAX_MS = 60_000;
let stopSeq = 0;

/**
 * Datagrams from → to (to's IP), counted on arrival. All flows run at once: listeners first (each reports
 * its port when bound), then the senders; once every sender has finished (+ a short drain), each listener
 * is told to stop (a file dropped in its container) and reports its count. The window is bounded by the
 * senders, never by a fixed budget: a sender that starts late on a busy machine is still counted in full.
 */
export async function udpFlows(docker: Docker, flows: UdpFlow[]): Promise<{ sent: number; received: number }[]> {
  if (!flows.length) return [];
  const runMs = Math.max(...flows.map((f) => f.count * f.intervalMs));
  const stopFile = (i: number) => `/tmp/drill-udp-stop-${process.pid.toString(36)}-${++stopSeq}-${i}`;
  const listeners = flows.map((f, i) => {
    let onReady: (port: number) => void = () => {};
    const ready = new Promise<number>((resolve) => (onReady = resolve));
    const file = stopFile(i);
    const done = execChecked(docker, f.to.id, `udp listener on ${f.to.target.node}`, ['node', PROBE_PATH, JSON.stringify({ op: 'udp-listen', stopFile: file, maxMs: UDP_LISTEN_MAX_MS })], {
      timeoutMs: UDP_LISTEN_MAX_MS + 15_000,
      onLine: (line) => {
        const msg = JSON.parse(line) as { ready?: number };
        if (msg.ready) onReady(msg.ready);
      },
    });
    const stop = () =>
      exec(docker, f.to.id, ['sh', '-c', `touch ${file}`]).then(
        () => undefined,
        () => undefined,
      );
    return { ready: Promise.race([ready, done.then(() => Promise.reject(new InfraError(`udp listener on ${f.to.target.node} ended before it was ready`)))]), done, stop };
  });
  try {
    const ports = await Promise.all(listeners.map((l) => l.ready));
    const senders = flows.map((f, i) =>
      execChecked(
        docker,
        f.from.id,
        `udp sender on ${f.from.target.node}`,
        ['node', PROBE_PATH, JSON.stringify({ op: 'udp-send', host: f.to.target.ip, port: ports[i], count: f.count, intervalMs: f.intervalMs, tag: `f${i}` })],
        { timeoutMs: runMs + 15_000 },
      ),
    );
    const sent = await Promise.all(senders);
    await new Promise((r) => setTimeout(r, UDP_DRAIN_MS));
    await Promise.all(listeners.map((l) => l.stop()));
    const received = await Promise.all(listeners.map((l) => l.done));
    return flows.map((_, i) => {
      const counts = (JSON.parse(lastLine(received[i]!.stdout)) as { received: Record<string, number> }).received;
      const s = JSON.parse(lastLine(sent[i]!.stdout)) as { sent: number; errors: number };
      // A datagram the sender's own rules dropped fails with EPERM: it was sent, and lost.
      return { sent: s.sent + s.errors, received: counts[`f${i}`] ?? 0 };
    });
  } catch (error) {
    // Never leave a listener counting for a minute after a failed probe.
    await Promise.all(listeners.map((l) => l.stop()));
    await Promise.allSettled(listeners.map((l) => l.done));
    throw error;
  }
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').pop();
  if (!line) throw new InfraError('probe printed nothing');
  return line;
}

/**
 * PostgreSQL waits for the client to speak first: a protocol 3.0 startup message (length 16, version
 * 3.0, user "x") makes it answer at once, with an authentication request or an error; the probe then
 * closes the connection. Only ASCII and NULs, so it goes through as a string unchanged.
 */
const PG_STARTUP = '\u0000\u0000\u0000\u0010\u0000\u0003\u0000\u0000user\u0000x\u0000\u0000';

/** A request that makes the service answer at once, by role or port; none for server-first protocols (MySQL). */
export function probePayload(port: number, role = ''): string | null {
  if (role === 'redis' || role === 'sentinel' || port === 6379 || port === 26379) return 'PING\r\n';
  if (role === 'app' || port === 8080) return 'GET /health HTTP/1.0\r\n\r\n';
  if (port === 5432) return PG_STARTUP;
  return null;
}

/**
 * Round trips from the runner to a node's published port on 127.0.0.1: a fresh connection each time,
 * timed from the request (or, for a server-first protocol, from the connect) to the first byte back.
 */
export async function hostRoundTrips(hostPort: number, payload: string | null, samples: number, timeoutMs = 10_000): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) out.push(await oneRoundTrip(hostPort, payload, timeoutMs));
  return out;
}

function oneRoundTrip(port: number, payload: string | null, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new InfraError(`no answer on 127.0.0.1:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      t0 = performance.now();
      if (payload) socket.write(payload);
    });
    socket.once('data', () => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      socket.destroy();
      resolve(ms);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new InfraError(`round trip to 127.0.0.1:${port}: ${error.message}`));
    });
    socket.once('end', () => {
      clearTimeout(timer);
      reject(new InfraError(`127.0.0.1:${port} closed the connection without answering`));
    });
  });
}

/** Round trips until one succeeds (a connection reset by the fault's own switch-over is retried). */
export async function hostRoundTripsRetrying(hostPort: number, payload: string | null, samples: number, attempts = 5): Promise<number[]> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await hostRoundTrips(hostPort, payload, samples);
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw last;
}
