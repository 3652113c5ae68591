// Open-loop pacing: slot k is due at t0 + k / rate, evenly spaced, whatever the target does. A due slot
// goes to an idle connection at once; if every connection is busy it waits in a bounded backlog and goes
// to the next connection that frees (a late send). The backlog keeps the newest slots: when it is full
// the oldest waiting slot is dropped and counted, so a long stall cannot turn into an unbounded burst.
//
// Why not autocannon's overallRate: it releases each second's quota in one burst at the start of the
// second, and it does not apply at all to the reconnect loop while the target refuses connections.

export interface PacerOptions<C> {
  /** Slots per second. */
  ratePerSec: number;
  /** Most slots that may wait for a connection; older ones are dropped beyond it. */
  maxBacklog: number;
  /** Monotonic ms (performance.now()). */
  now(): number;
  /** Hand slot `slotMs` to an idle connection. Return false if that connection can no longer send; it is then forgotten. */
  send(conn: C, slotMs: number): boolean;
}

export class Pacer<C> {
  readonly intervalMs: number;
  /** Sends that waited in the backlog because every connection was busy when their slot came due. */
  lateSends = 0;
  /** Slots dropped from a full backlog: never sent, so never a write. */
  droppedSlots = 0;
  private readonly opts: PacerOptions<C>;
  private readonly idle = new Set<C>();
  private readonly backlog: Float64Array;
  private head = 0;
  private waiting = 0;
  private t0 = 0;
  private k = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: PacerOptions<C>) {
    if (!(opts.ratePerSec > 0 && Number.isFinite(opts.ratePerSec))) throw new RangeError(`rate must be > 0, got ${opts.ratePerSec}`);
    this.opts = opts;
    this.intervalMs = 1000 / opts.ratePerSec;
    this.backlog = new Float64Array(Math.max(1, Math.ceil(opts.maxBacklog)));
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Slots waiting for a connection right now. */
  get backlogSize(): number {
    return this.waiting;
  }

  /** Start the schedule now: slot 0 is dispatched before this returns. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.t0 = this.opts.now();
    this.k = 0;
    this.tick();
  }

  /** Stop the schedule; waiting slots are discarded (they were never sent). Idempotent. */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = 0;
  }

  /** A connection has nothing in flight: give it the oldest waiting slot, or keep it idle. */
  release(conn: C): void {
    if (this.running && this.waiting > 0) {
      const slot = this.backlog[this.head] ?? 0;
      if (!this.opts.send(conn, slot)) {
        this.idle.delete(conn);
        return;
      }
      this.head = (this.head + 1) % this.backlog.length;
      this.waiting--;
      this.lateSends++;
      this.idle.delete(conn);
      return;
    }
    this.idle.add(conn);
  }

  /** A connection that must not get slots any more. */
  forget(conn: C): void {
    this.idle.delete(conn);
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.opts.now();
    for (;;) {
      const due = this.t0 + this.k * this.intervalMs;
      if (due > now) break;
      this.k++;
      this.dispatch(due);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by another callback (signal handler, timer) while this one waits
      if (!this.running) return;
    }
    const next = this.t0 + this.k * this.intervalMs;
    // ceil: a timer that fires early only costs a wasted wake-up.
    this.timer = setTimeout(this.tick, Math.max(1, Math.ceil(next - this.opts.now())));
  };

  private dispatch(slotMs: number): void {
    for (const conn of this.idle) {
      this.idle.delete(conn);
      if (this.opts.send(conn, slotMs)) return;
    }
    const cap = this.backlog.length;
    if (this.waiting === cap) {
      this.head = (this.head + 1) % cap;
      this.waiting--;
      this.droppedSlots++;
    }
    this.backlog[(this.head + this.waiting) % cap] = slotMs;
    this.waiting++;
  }
}
