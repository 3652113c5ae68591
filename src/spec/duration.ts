import { z } from 'zod';

// Durations are written as "5s", "250ms", "2m", "90d" or a bare number of milliseconds, and carried as ms.
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** One day: nothing a drill does should take longer, and a typo like "5000s" is caught. */
export const MAX_DURATION_MS = 24 * 3_600_000;
/** The accepted string form, as a JSON Schema / ECMAScript pattern (surrounding blanks are trimmed). */
export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$';

export function parseDurationMs(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** 1500 → "1500ms", 5000 → "5s", 120000 → "2m": the shortest exact spelling, for messages. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms !== 0 && ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Bounds of each duration field's input schema, so the JSON Schema generator can describe them. */
export const durationInputs = new WeakMap<z.ZodType, { minMs: number; maxMs: number }>();

const DURATION_EXPECTED = 'expected a duration such as "5s", "250ms", "2m" or a number of ms';

/** A duration field: a string with a unit, or a number of ms; always returns ms. */
export function duration(opts: { minMs?: number; maxMs?: number } = {}) {
  const minMs = opts.minMs ?? 0;
  const maxMs = opts.maxMs ?? MAX_DURATION_MS;
  const input = z.union([z.number(), z.string()], { error: DURATION_EXPECTED });
  durationInputs.set(input, { minMs, maxMs });
  return input.transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDurationMs(value);
    if (ms === undefined || !Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as "5s", "250ms" or "2m", got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      const range = ms < minMs ? `at least ${formatDurationMs(minMs)}` : `at most ${formatDurationMs(maxMs)}`;
      // `duration: 15` is 15 ms, not 15 s: say so when seconds would have been valid.
      const secondsMeant = typeof value === 'number' && value > 0 && value * 1000 >= minMs && value * 1000 <= maxMs;
      const got = secondsMeant ? `${value} (a bare number is milliseconds; write "${value}s" for seconds)` : JSON.stringify(value);
      ctx.addIssue({ code: 'custom', message: `expected a duration of ${range}, got ${got}` });
      return z.NEVER;
    }
    return ms;
  });
}
