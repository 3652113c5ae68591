import type { RunClock } from '../../util/clock.js';

// Requests each app instance answered, from its own counters (GET /metrics: drill_app_writes_total by
// outcome), read once a second through its 127.0.0.1 port: uneven spreading shows, whatever the proxy.

const POLL_MS = 1000;
const TIMEOUT_MS = 800;

interface Sample {
  atMs: number;
  totals: Record<string, number | null>;
}

export class ServedPoller {
  private timer: NodeJS.Timeout | null = null;
  private readonly samples: Sample[] = [];
  private busy = false;

  constructor(
    private readonly apps: readonly { node: string; url: string }[],
    private readonly clock: RunClock,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const atMs = this.clock.nowMs();
      const totals = await Promise.all(this.apps.map((a) => answered(a.url)));
      this.samples.push({ atMs: Math.round(atMs), totals: Object.fromEntries(this.apps.map((a, i) => [a.node, totals[i] ?? null])) });
    } finally {
      this.busy = false;
    }
  }

  /** Requests answered per second by each instance, between successive reads; null where a read failed (the instance was down). */
  perSecond(): { atMs: number; perBackend: Record<string, number | null> }[] {
    return rates(this.samples);
  }
}

/** Per-second rates between successive samples (pure). A counter that went back (a restarted app) counts from zero. */
export function rates(samples: readonly Sample[]): { atMs: number; perBackend: Record<string, number | null> }[] {
  const out: { atMs: number; perBackend: Record<string, number | null> }[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const seconds = (b.atMs - a.atMs) / 1000;
    if (seconds <= 0) continue;
    const perBackend: Record<string, number | null> = {};
    for (const [node, total] of Object.entries(b.totals)) {
      const before = a.totals[node];
      if (total === null) perBackend[node] = null;
      else if (before === null || before === undefined || total < before) perBackend[node] = Math.round(total / seconds);
      else perBackend[node] = Math.round((total - before) / seconds);
    }
    out.push({ atMs: b.atMs, perBackend });
  }
  return out;
}

async function answered(url: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) return null;
    const text = await res.text();
    let sum = 0;
    for (const m of text.matchAll(/^drill_app_writes_total\{[^}]*\} (\d+)/gm)) sum += Number(m[1]);
    return sum;
  } catch {
    return null;
  }
}
