// Open-loop, evenly paced, per-write tracked write load on autocannon.
//
// autocannon does the sockets, the HTTP bytes and the response parsing; paced-client.ts puts each of its
// connections on a leash so that a connection sends (and opens a socket) only when the pacer (pacer.ts)
// grants it a slot; write-log.ts keeps the Jepsen-style history. See docs/design.md "Measurement semantics".
//
// Clock: record times are kept on performance.now() internally and converted to the RunClock when read
// (history(), onComplete), all with the clock's origin at the moment of reading. So the runner may call
// clock.setOriginNow() while the load runs (end of warm-up): pacing is not disturbed and every record of a
// history() read afterwards is on the new origin (warm-up writes get negative times).

import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { RunClock } from '../util/clock.js';
import type { WriteRecord } from './history.js';
import { Pacer } from './pacer.js';
import { PacedClient, type AutocannonClient } from './paced-client.js';
import { WriteLog } from './write-log.js';

export interface TrackedLoadOptions {
  /** e.g. 'http://127.0.0.1:34567' — the fixture app; writes are POST /write?id=<id>. */
  url: string;
  /** Writes per second, open-loop. */
  rate: number;
  /** autocannon connections (pipelining 1); capped at the rate. */
  connections: number;
  /** Per-write timeout from its send, >= 50. Enforced exactly by us (autocannon's own whole-second timer is disabled). */
  timeoutMs: number;
  clock: RunClock;
  /** Abort = stop sending immediately and close; in-flight writes become unknown ("aborted before answer"). */
  signal?: AbortSignal;
  /** Id of the first write (default 1). Use distinct ranges if several loads write to the same database. */
  firstId?: number;
  /** Keyed writes (reads drills): write id N also becomes the version of key N mod keys (docs/reads.md). */
  keys?: number;
}

export interface TrackedLoadStats {
  sentWrites: number;
  /** Sends that waited in the backlog because every connection was busy when their slot came due. */
  lateSends: number;
  /** Largest invokeMs − scheduledMs over all sends (timer resolution and event-loop delay included). */
  maxSendLagMs: number;
  inFlight: number;
  ok: number;
  fail: number;
  unknown: number;
  /** Slots dropped from a full backlog (bound: rate × timeoutMs / 1000): never sent, so no record. */
  droppedSlots: number;
}

export interface TrackedLoad {
  /** Resolves once autocannon has started and the first send is scheduled. */
  start(): Promise<void>;
  /** Stop scheduling new writes, wait up to timeoutMs for in-flight ones, then close autocannon. In-flight ones left become 'unknown' ("stopped before answer"). */
  stop(): Promise<void>;
  /** Every completed write, sorted by id (and so by invokeMs); a new array, shared read-only records. After stop() that is every write sent. */
  history(): WriteRecord[];
  stats(): TrackedLoadStats;
  /** Subscribe to completions (the runner uses it to watch for recovery live). */
  onComplete(listener: (w: WriteRecord) => void): void;
}

/** Longest autocannon duration we can ask for: its stop timer is a setTimeout (max 2^31 − 1 ms). */
const AUTOCANNON_DURATION_S = 2_000_000;
/** How often autocannon checks its stop flag: bounds how long closing autocannon takes. */
const AUTOCANNON_SAMPLE_MS = 100;
const CLOSE_WAIT_MS = 2_000;
/** Shorter and a write's own round trip on a healthy local stack (a few ms) would be a timeout. */
const MIN_TIMEOUT_MS = 50;

export function createTrackedLoad(opts: TrackedLoadOptions): TrackedLoad {
  const target = parseTarget(opts.url);
  if (!(opts.rate > 0 && Number.isFinite(opts.rate))) throw new RangeError(`rate must be a positive number, got ${opts.rate}`);
  if (!(Number.isInteger(opts.connections) && opts.connections >= 1)) throw new RangeError(`connections must be an integer >= 1, got ${opts.connections}`);
  // Our own per-write timer enforces it (autocannon's whole-second one is disabled): the probe stream's 250 ms works.
  if (!(opts.timeoutMs >= MIN_TIMEOUT_MS && Number.isFinite(opts.timeoutMs))) throw new RangeError(`timeoutMs must be >= ${MIN_TIMEOUT_MS}, got ${opts.timeoutMs}`);

  const { clock, signal, timeoutMs, keys } = opts;
  if (keys !== undefined && !(Number.isInteger(keys) && keys >= 1)) throw new RangeError(`keys must be an integer >= 1, got ${keys}`);
  const connections = Math.max(1, Math.min(opts.connections, Math.floor(opts.rate)));
  const now = (): number => performance.now();
  // Run clock − performance.now(): constant until the origin moves. Read twice around the clock so the
  // jitter is tiny, and keep the previous value unless it really changed, so that successive reads share
  // one offset (history() reuses the records it built before only at the same offset).
  let lastOffsetMs = Number.NaN;
  const offset = (): number => {
    const before = performance.now();
    const runMs = clock.nowMs();
    const fresh = runMs - (before + performance.now()) / 2;
    if (!(Math.abs(fresh - lastOffsetMs) < 0.01)) lastOffsetMs = fresh;
    return lastOffsetMs;
  };
  const log = new WriteLog(opts.firstId ?? 1, Math.min(1 << 20, Math.max(1024, Math.ceil(opts.rate * 60))));
  const listeners: ((w: WriteRecord) => void)[] = [];
  const clients: PacedClient[] = [];
  let maxSendLagMs = 0;
  let phase: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  let drained: (() => void) | undefined;
  let stopPromise: Promise<void> | undefined;
  let instance: autocannon.Instance | undefined;
  let autocannonEnded = false;
  let endAutocannon: (() => void) | undefined;
  const autocannonDone = new Promise<void>((resolve) => (endAutocannon = resolve));

  const pacer = new Pacer<PacedClient>({
    ratePerSec: opts.rate,
    maxBacklog: Math.max(1, Math.ceil((opts.rate * timeoutMs) / 1000)),
    now,
    send: (client, slotMs) => client.send(slotMs),
  });

  const hooks = {
    now,
    timeoutMs,
    requestFor: (id: number) => Buffer.from(`${target.requestHead}${id}${keys ? `&key=${id % keys}` : ''}${target.requestTail}`, 'latin1'),
    begin(slotMs: number, invokeMs: number): number {
      const lag = invokeMs - slotMs;
      if (lag > maxSendLagMs) maxSendLagMs = lag;
      return log.begin(slotMs, invokeMs);
    },
    complete(id: number, outcome: WriteRecord['outcome'], completeMs: number, error?: string): void {
      if (!log.complete(id, outcome, completeMs, error)) return;
      if (listeners.length > 0) {
        const record = log.get(id, offset());
        if (record) for (const listener of listeners) notify(listener, record);
      }
      if (drained && log.inFlight === 0) drained();
    },
    idle: (client: PacedClient) => {
      pacer.release(client);
    },
  };

  function setupClient(raw: unknown): void {
    clients.push(new PacedClient(raw as AutocannonClient, hooks));
  }

  function onAbort(): void {
    void shutdown(false, 'aborted before answer');
  }

  async function shutdown(drain: boolean, reason: string): Promise<void> {
    if (stopPromise) return stopPromise;
    stopPromise = (async () => {
      phase = 'stopping';
      pacer.stop();
      if (drain && log.inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs + 50);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
          // every write in flight has its own timer of timeoutMs, so this normally ends by itself
          if (signal) signal.addEventListener('abort', drained, { once: true });
        });
        if (signal && drained) signal.removeEventListener('abort', drained);
        drained = undefined;
      }
      for (const client of clients) client.close(reason);
      if (instance && !autocannonEnded) {
        instance.stop();
        await Promise.race([autocannonDone, delay(CLOSE_WAIT_MS)]);
      }
      signal?.removeEventListener('abort', onAbort);
      phase = 'stopped';
    })();
    return stopPromise;
  }

  return {
    async start(): Promise<void> {
      if (phase !== 'new') throw new Error(`tracked load: start() called twice (state ${phase})`);
      signal?.throwIfAborted();
      phase = 'starting';
      const started = new Promise<void>((resolve, reject) => {
        instance = autocannon(
          {
            url: target.url,
            connections,
            pipelining: 1,
            timeout: Math.ceil(timeoutMs / 1000),
            duration: AUTOCANNON_DURATION_S,
            sampleInt: AUTOCANNON_SAMPLE_MS,
            method: 'POST',
            requests: [{ method: 'POST', path: target.writePath }],
            setupClient: setupClient,
          },
          (error: unknown) => {
            autocannonEnded = true;
            endAutocannon?.();
            if (error) {
              // eslint-disable-next-line @typescript-eslint/no-base-to-string -- set by another callback (signal handler, timer) while this one waits
              reject(error instanceof Error ? error : new Error(String(error)));
            } else if (phase === 'running') {
              // autocannon ended on its own (should not happen within its ~23-day duration)
              void shutdown(false, 'load generator ended before answer');
            }
          },
        );
        instance.once('start', () => {
          resolve();
        });
      });
      try {
        await started;
      } catch (error) {
        phase = 'stopped';
        for (const client of clients) client.close('load generator failed to start');
        throw error;
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by another callback (signal handler, timer) while this one waits
      if (signal?.aborted || phase !== 'starting') {
        await shutdown(false, 'aborted before answer');
        signal?.throwIfAborted();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      phase = 'running';
      pacer.start();
    },

    stop(): Promise<void> {
      if (phase === 'new') {
        phase = 'stopped';
        return Promise.resolve();
      }
      return shutdown(true, 'stopped before answer');
    },

    history(): WriteRecord[] {
      return log.records(offset());
    },

    stats(): TrackedLoadStats {
      return {
        sentWrites: log.size,
        lateSends: pacer.lateSends,
        maxSendLagMs,
        inFlight: log.inFlight,
        ok: log.ok,
        fail: log.fail,
        unknown: log.unknown,
        droppedSlots: pacer.droppedSlots,
      };
    },

    onComplete(listener: (w: WriteRecord) => void): void {
      listeners.push(listener);
    },
  };
}

interface Target {
  url: string;
  writePath: string;
  requestHead: string;
  requestTail: string;
}

function parseTarget(raw: string): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RangeError(`tracked load: not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`tracked load: url must be http(s), got ${raw}`);
  const writePath = `${url.pathname.replace(/\/+$/, '')}/write`;
  return {
    url: url.origin,
    writePath,
    requestHead: `POST ${writePath}?id=`,
    requestTail: ` HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n`,
  };
}

function notify(listener: (w: WriteRecord) => void, record: WriteRecord): void {
  try {
    listener(record);
  } catch (error) {
    // a listener's bug must not break the bookkeeping of the write that is being completed
    process.emitWarning(`tracked load: onComplete listener threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
