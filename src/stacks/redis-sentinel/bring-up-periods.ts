import type { Redis } from 'ioredis';

// A Sentinel learns of the replicas from its master's INFO (every 10 s) and of the other Sentinels from
// their hello messages (every 2 s): on its timers alone a fresh stack takes seconds to converge. While the
// stack comes up, each Sentinel sends both every BRING_UP_PERIOD_MS (SENTINEL DEBUG, Redis 7.0+); once
// every Sentinel agrees, its own periods are put back and read back, so the drill runs with Sentinel's
// timings as they were. A Sentinel without SENTINEL DEBUG (an older image) converges on its own timers.

export const BRING_UP_PERIOD_MS = 100;

/** The Sentinel periods the bring-up changes, by their SENTINEL DEBUG names. */
export interface SentinelPeriods {
  infoMs: number;
  publishMs: number;
}

/** The Sentinel's current periods; null when it has no SENTINEL DEBUG (Redis before 7.0). A lost connection throws. */
export async function readPeriods(client: Redis): Promise<SentinelPeriods | null> {
  // The server's refusal (a ReplyError) means no such command; anything else is a probe that failed.
  const reply: unknown = await client.call('SENTINEL', 'DEBUG').catch((error: unknown) => {
    if (error instanceof Error && error.name === 'ReplyError') return null;
    throw error;
  });
  if (!Array.isArray(reply)) return null;
  const value = (name: string) => {
    const i = reply.findIndex((item) => String(item).toUpperCase() === name);
    return i >= 0 && i % 2 === 0 ? Number(reply[i + 1]) : NaN;
  };
  const periods = { infoMs: value('INFO-PERIOD'), publishMs: value('PUBLISH-PERIOD') };
  return Number.isFinite(periods.infoMs) && Number.isFinite(periods.publishMs) ? periods : null;
}

export async function setPeriods(client: Redis, periods: SentinelPeriods): Promise<void> {
  await client.call('SENTINEL', 'DEBUG', 'info-period', String(periods.infoMs), 'publish-period', String(periods.publishMs));
}

export const bringUpPeriods: SentinelPeriods = { infoMs: BRING_UP_PERIOD_MS, publishMs: BRING_UP_PERIOD_MS };
