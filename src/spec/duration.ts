import { z } from 'zod';

// Durations are written as "5s", "250ms", "2m" or a bare number of milliseconds, and carried as ms.
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
/** One day: nothing a drill does should take longer, and a typo like "5000s" is caught. */
export const MAX_DURATION_MS = 24 * 3_600_000;

export function parseDurationMs(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A duration field: a string with a unit, or a number of ms; always returns ms. */
export function duration(opts: { minMs?: number; maxMs?: number } = {}) {
  const minMs = opts.minMs ?? 0;
  const maxMs = opts.maxMs ?? MAX_DURATION_MS;
  return z
    .union([z.number(), z.string()], { error: 'expected a duration such as "5s", "250ms", "2m" or a number of ms' })
    .transform((value, ctx) => {
      const ms = typeof value === 'number' ? value : parseDurationMs(value);
      if (ms === undefined || !Number.isFinite(ms)) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as "5s", "250ms" or "2m", got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      if (ms < minMs || ms > maxMs) {
        ctx.addIssue({ code: 'custom', message: `duration must be between ${minMs} ms and ${maxMs} ms, got ${ms} ms` });
        return z.NEVER;
      }
      return ms;
    });
}
