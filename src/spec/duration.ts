import { z } from 'zod';

// Durations are written as "5s", "250ms", "2m", "90d", compound as "1m30s" or "1h30m", or as a bare
// number of milliseconds, and carried as ms. A compound duration names its units from the largest to
// the smallest, each at most once, with no blanks inside (like Go's time.ParseDuration), so "1m30s"
// can only mean one thing and "30s1m" or "1m 1m" are refused with the reason.

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
/** Largest first: the order a compound duration must follow. */
const UNITS_DESCENDING: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

/** One day: nothing a drill does should take longer, and a typo like "5000s" is caught. */
export const MAX_DURATION_MS = 24 * 3_600_000;

const NUMBER = '\\d+(\\.\\d+)?';
// `ms` before `m` and `s`: "5ms" is five milliseconds, never five minutes and a stray "s".
const UNIT = '(ms|s|m|h|d)';
/** One part, blanks allowed between number and unit ("5 s", as before compound durations existed). */
const SINGLE = `${NUMBER}\\s*${UNIT}`;
/** Parts in decreasing order, each optional, no blanks; the lookahead makes at least one present. */
const COMPOUND = `(?=\\d)${UNITS_DESCENDING.map((u) => `(${NUMBER}${u})?`).join('')}`;

/** The accepted string form, as a JSON Schema / ECMAScript pattern (surrounding blanks are trimmed). */
export const DURATION_PATTERN = `^\\s*(${SINGLE}|${COMPOUND})\\s*$`;

/** One part and the blanks after it; sticky, so the parts must cover the whole text. */
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*/y;

/** Why a string is not a duration, or its value. `why` is null when it is not even close to one. */
export type DurationParse = { kind: 'ok'; ms: number } | { kind: 'invalid'; why: string | null };

export function parseDuration(text: string): DurationParse {
  const trimmed = text.trim();
  const parts: { value: number; unit: Unit }[] = [];
  let offset = 0;
  while (offset < trimmed.length) {
    PART.lastIndex = offset;
    const match = PART.exec(trimmed);
    if (!match) {
      // "1m30": a compound duration whose last number lost its unit. Anything else is just not a duration.
      const rest = trimmed.slice(offset);
      return { kind: 'invalid', why: parts.length > 0 && /^\d/.test(rest) ? `${JSON.stringify(rest)} has no unit (ms, s, m, h, d)` : null };
    }
    parts.push({ value: Number(match[1]), unit: match[2] as Unit });
    offset = PART.lastIndex;
  }
  if (parts.length === 0) return { kind: 'invalid', why: null };
  if (parts.length > 1) {
    if (/\s/.test(trimmed)) return { kind: 'invalid', why: `write a compound duration without blanks, e.g. ${JSON.stringify(trimmed.replace(/\s+/g, ''))}` };
    for (let i = 1; i < parts.length; i++) {
      const previous = UNITS_DESCENDING.indexOf(parts[i - 1]!.unit);
      const current = UNITS_DESCENDING.indexOf(parts[i]!.unit);
      if (current === previous) return { kind: 'invalid', why: `the unit "${parts[i]!.unit}" appears twice: each unit at most once` };
      if (current < previous) {
        const distinct = new Set(parts.map((p) => p.unit)).size === parts.length;
        const sorted = [...parts].sort((a, b) => UNITS_DESCENDING.indexOf(a.unit) - UNITS_DESCENDING.indexOf(b.unit));
        const hint = distinct ? `, e.g. ${JSON.stringify(sorted.map((p) => `${p.value}${p.unit}`).join(''))}` : '';
        return { kind: 'invalid', why: `units must go from the largest to the smallest (d, h, m, s, ms)${hint}` };
      }
    }
  }
  return { kind: 'ok', ms: parts.reduce((sum, p) => sum + p.value * UNIT_MS[p.unit], 0) };
}

export function parseDurationMs(text: string): number | undefined {
  const parsed = parseDuration(text);
  return parsed.kind === 'ok' ? parsed.ms : undefined;
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
    const parsed: DurationParse = typeof value === 'number' ? { kind: 'ok', ms: value } : parseDuration(value);
    if (parsed.kind === 'invalid' || !Number.isFinite(parsed.ms)) {
      const why = parsed.kind === 'invalid' && parsed.why !== null ? `: ${parsed.why}` : '';
      ctx.addIssue({ code: 'custom', message: `expected a duration such as "5s", "250ms", "2m" or "1m30s", got ${JSON.stringify(value)}${why}` });
      return z.NEVER;
    }
    const ms = parsed.ms;
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
