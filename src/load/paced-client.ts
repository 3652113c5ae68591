// One autocannon connection (lib/httpClient.js Client, autocannon 8), put on a leash through `setupClient`.
//
// What autocannon does on its own, and what we change (all per instance, nothing global):
// - `_connect()` is called by the constructor, after a socket 'error' (right after emitting 'connError')
//   and after a socket 'end'; it opens a socket at once and `_doRequest()`s on it. With a refusing target
//   that is a reconnect loop without backoff (tens of thousands of attempts/s). Here autocannon's calls
//   mean only "this connection is gone": we settle the write that was on it and return the client to the
//   pacer. A socket is opened only when the pacer hands the client a slot, so each refused attempt uses
//   exactly one slot and is exactly one 'fail' write.
// - `_doRequest()` is called after each response and by `_connect()`. Here it sends only a granted slot;
//   otherwise the client goes back to the pacer as idle.
// - `getRequestBuffer()` returns the bytes of our own request (POST /write?id=<id>): each write has its
//   own id, built once, and it works for the first request of a connection too (autocannon's
//   setupRequest is not called for a client's first request).
// - `requestIterator.recordBody(req, status, body)` is where autocannon hands over the finished response
//   (it then emits 'response' and calls `_doRequest()`): we settle the write there.
//   `requestIterator.nextRequest()` becomes a no-op: we build our own bytes, and with one request in the
//   list autocannon would deep-clone its (empty) context on every send.
// - `timeoutTicker`: autocannon's per-client retimer counts whole seconds since the last send, fires on
//   idle connections too, and on firing calls `_connect()` before it emits 'timeout'. We replace it with
//   a no-op and keep our own per-client timer of exactly timeoutMs from the send of the write in flight.
//
// With pipelining 1 a client has at most one write in flight; it is completed exactly once, by whichever
// of response / socket error / socket end / timeout / stop comes first.

import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { WriteOutcome } from './history.js';
import { classifyHttp, classifySocketError } from './classify-response.js';

/** The parts of autocannon 8's Client we rely on (lib/httpClient.js). */
export interface AutocannonClient extends EventEmitter {
  conn?: Socket;
  destroyed: boolean;
  parser: { initialize?: (type: string) => void };
  requestIterator: {
    currentRequest: unknown;
    nextRequest: () => unknown;
    recordBody: (req: unknown, status: number, body: string, headers: unknown) => void;
  };
  timeoutTicker: { reschedule(ms?: number): void; clear(): void };
  _connect(): void;
  _doRequest(): void;
  _destroyConnection(): void;
  getRequestBuffer(): Buffer;
  destroy(): void;
}

export interface PacedClientHooks {
  /** Monotonic ms (performance.now()). */
  now(): number;
  timeoutMs: number;
  /** Request bytes for write `id`. */
  requestFor(id: number): Buffer;
  /** A write is handed to the socket: record it, return its id. */
  begin(slotMs: number, invokeMs: number): number;
  /** A write's outcome is known (called at most once per id). */
  complete(id: number, outcome: WriteOutcome, completeMs: number, error?: string): void;
  /** The client has nothing in flight and can take a slot. */
  idle(client: PacedClient): void;
}

const NO_TICKER = { reschedule(): void {}, clear(): void {} };
const NOTHING = Buffer.alloc(0);

export class PacedClient {
  private readonly client: AutocannonClient;
  private readonly hooks: PacedClientHooks;
  private readonly connect: () => void;
  private readonly doRequest: () => void;
  private readonly destroyConnection: () => void;
  private inFlightId = 0;
  private pendingSlotMs = Number.NaN;
  /** A socket exists (possibly still connecting). */
  private hasSocket = false;
  /** That socket has connected: a request on it may have reached the server. */
  private connected = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private request: Buffer = NOTHING;

  /** Call from autocannon's `setupClient(client)`: it runs inside the Client constructor, before its first `_connect()`. */
  constructor(client: AutocannonClient, hooks: PacedClientHooks) {
    for (const name of ['_connect', '_doRequest', '_destroyConnection', 'getRequestBuffer', 'destroy'] as const) {
      if (typeof client[name] !== 'function') throw new Error(`autocannon Client has no ${name}(): this version is not supported (need 8.x)`);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- autocannon internals, checked because they are not a public API
    if (typeof client.requestIterator?.recordBody !== 'function') throw new Error('autocannon Client has no requestIterator.recordBody(): need autocannon 8.x');
    this.client = client;
    this.hooks = hooks;
    this.connect = client._connect.bind(client);
    this.doRequest = client._doRequest.bind(client);
    this.destroyConnection = client._destroyConnection.bind(client);

    client._connect = () => {
      this.onConnectionGone();
    };
    client._doRequest = () => {
      this.onDoRequest();
    };
    client._destroyConnection = () => {
      if (client.conn) this.destroyConnection(); // autocannon assumes a socket; ours may never have had one
    };
    client.getRequestBuffer = () => this.request;
    client.requestIterator.recordBody = (_req, status, body) => {
      this.onResponse(status, body);
    };
    client.requestIterator.nextRequest = () => client.requestIterator.currentRequest;
    Object.defineProperty(client, 'timeoutTicker', {
      configurable: true,
      get: () => NO_TICKER,
      set: (ticker: { clear?: () => void } | undefined) => ticker?.clear?.(),
    });
    client.on('connError', (error: unknown) => {
      this.onConnError(error);
    });
  }

  get busy(): boolean {
    return this.inFlightId !== 0;
  }

  /** Send a write for slot `slotMs` now. False if this client is closed. */
  send(slotMs: number): boolean {
    if (this.closed || this.client.destroyed) return false;
    this.pendingSlotMs = slotMs;
    if (this.hasSocket) {
      this.transmit();
      return true;
    }
    this.hasSocket = true;
    this.connected = false;
    this.connect(); // opens the socket and calls _doRequest() → transmit()
    // From here on a request on this socket may reach the server (TLS: only after the handshake).
    const socket = this.client.conn;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- autocannon internals, checked because they are not a public API
    socket?.once(socket && 'encrypted' in socket ? 'secureConnect' : 'connect', () => {
      if (this.client.conn === socket) this.connected = true;
    });
    if (!Number.isNaN(this.pendingSlotMs)) this.transmit();
    return true;
  }

  /** Stop: the write in flight (if any) becomes unknown with `reason`; the client is destroyed. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.pendingSlotMs = Number.NaN;
    this.settle('unknown', reason);
    if (!this.client.destroyed) this.client.destroy();
  }

  private transmit(): void {
    const slotMs = this.pendingSlotMs;
    this.pendingSlotMs = Number.NaN;
    // pipelining 1: a write still open here never got its answer on this connection
    this.settle('unknown', 'connection closed before answer');
    const id = this.hooks.begin(slotMs, this.hooks.now());
    this.inFlightId = id;
    this.request = this.hooks.requestFor(id);
    this.doRequest(); // autocannon: queue the response slot, conn.write(getRequestBuffer())
    if (this.timer === undefined)
      this.timer = setTimeout(this.onTimer, this.hooks.timeoutMs).unref(); // a watchdog, not a reason to keep the process alive
    else this.timer.refresh();
  }

  private settle(outcome: WriteOutcome, error?: string): void {
    const id = this.inFlightId;
    if (id === 0) return;
    this.inFlightId = 0;
    this.hooks.complete(id, outcome, this.hooks.now(), error);
  }

  private goIdle(): void {
    if (!this.closed && !this.client.destroyed && this.inFlightId === 0) this.hooks.idle(this);
  }

  private dropSocket(): void {
    this.hasSocket = false;
    this.connected = false;
    this.destroyConnection(); // autocannon: remove its listeners, destroy the socket, clear its response queue
    this.client.parser.initialize?.('RESPONSE'); // a half-parsed answer must not leak into the next socket
  }

  /** autocannon's `_connect()`: construction, or the socket errored / ended. */
  private onConnectionGone(): void {
    if (this.hasSocket) {
      this.settle('unknown', 'connection closed before answer');
      this.dropSocket();
    }
    this.goIdle();
  }

  /** autocannon's `_doRequest()`: from `_connect()` (we asked for a socket to send a slot) or after a response. */
  private onDoRequest(): void {
    if (!Number.isNaN(this.pendingSlotMs)) this.transmit();
    else this.goIdle();
  }

  private onResponse(status: number, body: string): void {
    if (this.inFlightId === 0) return;
    const { outcome, error } = classifyHttp(status, body);
    this.settle(outcome, error);
  }

  private onConnError(error: unknown): void {
    if (this.inFlightId === 0) return;
    const { outcome, error: text } = classifySocketError(error, this.connected);
    this.settle(outcome, text);
  }

  private readonly onTimer = (): void => {
    // refresh() re-arms at every send, so a write still open here was sent timeoutMs ago
    if (this.inFlightId === 0 || this.closed) return;
    this.settle('unknown', 'timeout');
    this.dropSocket();
    this.goIdle();
  };
}
