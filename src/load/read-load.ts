// Open-loop tracked reads beside the write load (docs/reads.md). Each read is GET /read/<key>?from=… on
// the fixture app, sent on its schedule whatever earlier reads did, and completes once: ok (found or
// not, with the version read), fail (the app answered with an error, or the connection was refused), or
// unknown (no answer in time). A read changes nothing, so "unknown" here only means "no answer".
//
// Reads are light next to writes (a few hundred a second at most), so node:http with a keep-alive agent
// does them; the write load keeps autocannon for its rates.

import http from 'node:http';
import type { RunClock } from '../util/clock.js';

export type ReadFrom = 'primary' | 'replica';
/** any: a key picked at random. own: the key of the newest write this load got acknowledged (read-your-writes). */
export type ReadPattern = 'any' | 'own';
export type ReadOutcome = 'ok' | 'fail' | 'unknown';

export interface ReadRecord {
  /** 1, 2, … in send order. */
  seq: number;
  key: number;
  /** Run-clock ms: when its slot came (open-loop schedule). */
  scheduledMs: number;
  /** When the request got its connection (sent): later than scheduledMs when every connection was busy. */
  invokeMs: number;
  /** When its outcome was known. */
  completeMs: number;
  outcome: ReadOutcome;
  /** ok reads: the key's version as read (the id of the newest write the node had applied), null = not found. */
  version?: number | null;
  /** own reads: the acknowledged write whose key is read; the read must see it (or a newer version). */
  ownWriteId?: number;
  error?: string;
}

export interface ReadLoadOptions {
  /** The fixture apps; reads go round them in turn. */
  urls: string[];
  ratePerSec: number;
  keys: number;
  from: ReadFrom;
  pattern: ReadPattern;
  timeoutMs: number;
  connections: number;
  clock: RunClock;
  /** own reads: the newest acknowledged write id so far (undefined before the first ack). */
  latestAckedWriteId?: () => number | undefined;
  /** Random key for `any` reads (tests pass a seeded one). */
  random?: () => number;
}

export interface ReadLoadStats {
  sent: number;
  ok: number;
  fail: number;
  unknown: number;
  /** Slots not sent: too many reads in flight, or an own read before the first acknowledged write. */
  skippedSlots: number;
}

export interface ReadLoad {
  start(): void;
  /** Stop sending; wait for the reads in flight (each ends by its timeout), then close the sockets. */
  stop(): Promise<void>;
  /** Every completed read, in send order. */
  history(): ReadRecord[];
  stats(): ReadLoadStats;
}

const TICK_MS = 2;

export function createReadLoad(opts: ReadLoadOptions): ReadLoad {
  if (opts.urls.length === 0) throw new RangeError('read load: no app url');
  if (!(opts.ratePerSec > 0)) throw new RangeError(`read rate must be > 0, got ${opts.ratePerSec}`);
  if (!(Number.isInteger(opts.keys) && opts.keys >= 1)) throw new RangeError(`keys must be an integer >= 1, got ${opts.keys}`);
  if (opts.pattern === 'own' && !opts.latestAckedWriteId) throw new RangeError('own reads need latestAckedWriteId');
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const random = opts.random ?? Math.random;
  const maxInFlight = Math.ceil((opts.ratePerSec * opts.timeoutMs) / 1000) + opts.connections;
  const done: ReadRecord[] = [];
  const counts = { sent: 0, ok: 0, fail: 0, unknown: 0, skippedSlots: 0 };
  let inFlight = 0;
  let startMs = 0;
  let slots = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let drained: (() => void) | undefined;

  function finish(record: ReadRecord): void {
    done.push(record);
    counts[record.outcome]++;
    inFlight--;
    if (inFlight === 0) drained?.();
  }

  function send(): void {
    let key: number;
    let ownWriteId: number | undefined;
    if (opts.pattern === 'own') {
      ownWriteId = opts.latestAckedWriteId!();
      if (ownWriteId === undefined) {
        counts.skippedSlots++;
        return;
      }
      key = ownWriteId % opts.keys;
    } else {
      key = Math.floor(random() * opts.keys);
    }
    if (inFlight >= maxInFlight) {
      counts.skippedSlots++;
      return;
    }
    counts.sent++;
    inFlight++;
    const seq = counts.sent;
    const url = new URL(`/read/${key}?from=${opts.from}`, opts.urls[(seq - 1) % opts.urls.length]);
    const scheduledMs = opts.clock.nowMs();
    // The read is sent when it gets a connection; until then it is only scheduled (the agent queues it).
    let invokeMs: number | undefined;
    let settled = false;
    let connected = false;
    const settle = (outcome: ReadOutcome, extra: { version?: number | null; error?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      const completeMs = opts.clock.nowMs();
      finish({ seq, key, scheduledMs, invokeMs: invokeMs ?? scheduledMs, completeMs, outcome, ...(ownWriteId === undefined ? {} : { ownWriteId }), ...extra });
    };
    const req = http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) {
          const version = parseVersion(body);
          if (version === undefined) settle('fail', { error: 'unreadable answer' });
          else settle('ok', { version });
        } else {
          settle('fail', { error: `http ${res.statusCode ?? 0} ${errorOf(body)}`.trim() });
        }
      });
      res.on('error', (e) => {
        settle('unknown', { error: e.message });
      });
    });
    req.on('socket', (socket) => {
      invokeMs = opts.clock.nowMs();
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      settle(connected ? 'unknown' : 'fail', { error: e.code ?? e.message });
    });
    const timeout = setTimeout(() => {
      settle('unknown', { error: 'timeout' });
      req.destroy();
    }, opts.timeoutMs);
  }

  function tick(): void {
    if (stopped) return;
    const due = Math.floor(((performance.now() - startMs) * opts.ratePerSec) / 1000);
    while (slots < due) {
      slots++;
      send();
    }
    timer = setTimeout(tick, TICK_MS);
  }

  return {
    start(): void {
      startMs = performance.now();
      tick();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      agent.destroy();
    },
    history: () => [...done].sort((a, b) => a.seq - b.seq),
    stats: () => ({ ...counts }),
  };
}

/** {found, version} → the version (null = not found); undefined if the answer is not that. */
export function parseVersion(body: string): number | null | undefined {
  try {
    const parsed = JSON.parse(body) as { found?: unknown; version?: unknown };
    if (parsed.found === false) return null;
    if (parsed.found === true && typeof parsed.version === 'number') return parsed.version;
  } catch {
    // not JSON
  }
  return undefined;
}

function errorOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : '';
  } catch {
    return '';
  }
}
