import type { NotifiedAlert } from './assess.js';

// Your own Alertmanager, read-only: drill cannot add a receiver to it, so it asks the API
// (GET /api/v2/alerts) every POLL_MS and notes when each alert first appears there (it has reached
// Alertmanager: the page is on its way, after your group_wait) and when it is gone or resolved. The
// polling interval is the precision of those times.

export const POLL_MS = 200;
const TIMEOUT_MS = 2000;

interface AmAlert {
  labels?: Record<string, string>;
  startsAt?: string;
  status?: { state?: string };
}

export class AlertmanagerWatch {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly active = new Map<string, NotifiedAlert>();
  private readonly seen: NotifiedAlert[] = [];
  /** The last failure to read the API (reported, not fatal: one missed poll widens nothing but that window). */
  lastError: string | null = null;

  constructor(private readonly baseUrl: string) {}

  start(): void {
    void this.tick();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    await this.poll();
    // stop() may have come while the poll was on its way.
    if (this.isRunning()) this.timer = setTimeout(() => void this.tick(), POLL_MS);
  }

  private isRunning(): boolean {
    return !this.stopped;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** What was seen: a "firing" entry when an alert appeared, a "resolved" one when it left. */
  notifications(): NotifiedAlert[] {
    return [...this.seen];
  }

  private async poll(): Promise<void> {
    let alerts: AmAlert[];
    try {
      const res = await fetch(`${this.baseUrl}/api/v2/alerts?active=true&silenced=true&inhibited=true`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) throw new Error(`answered ${res.status}`);
      alerts = (await res.json()) as AmAlert[];
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      return;
    }
    const now = Date.now();
    const present = new Set<string>();
    for (const a of alerts) {
      if (a.status?.state !== 'active' && a.status?.state !== 'suppressed') continue;
      const name = a.labels?.alertname ?? '';
      const node = a.labels?.node ?? null;
      const startsAt = a.startsAt ? Date.parse(a.startsAt) : NaN;
      const key = `${name}\u0000${node ?? ''}\u0000${a.startsAt ?? ''}`;
      present.add(key);
      if (this.active.has(key)) continue;
      const entry: NotifiedAlert = { name, node, status: 'firing', startsAtEpochMs: Number.isFinite(startsAt) ? startsAt : null, endsAtEpochMs: null, receivedAtEpochMs: now };
      this.active.set(key, entry);
      this.seen.push(entry);
    }
    for (const [key, entry] of this.active) {
      if (present.has(key)) continue;
      this.active.delete(key);
      this.seen.push({ ...entry, status: 'resolved', endsAtEpochMs: null, receivedAtEpochMs: now });
    }
  }
}
