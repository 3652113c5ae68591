import { engineLocation } from '../engine/docker-client.js';
import type { ExecResult } from '../engine/docker-exec.js';
import type { FaultContext } from './plugin.js';

// Stamps a fault's command prints around its act, read with the host's clock inside the target's
// namespace (`date +%s%N`, or perl's Time::HiRes in a stamped rule change): the instant to well under a
// millisecond instead of the docker exec call's width. Used by network faults' rule changes
// (network/stamped-install.ts) and by kill-process.

/** Output lines of a stamped act: the host's clock (ns) just before it and just after. */
export const STAMP_FROM = 'drill-stamp-from';
export const STAMP_TO = 'drill-stamp-to';

/**
 * Output lines of a witnessed act (network/stamped-install.ts): the act's effect seen from inside the
 * namespace, after the first (ns) and by the second. Narrower than the stamps, and used where it overlaps them.
 */
export const WITNESS_FROM = 'drill-witness-from';
export const WITNESS_TO = 'drill-witness-to';

export interface ActStamps {
  fromEpochMs: number;
  toEpochMs: number;
  /** The bounds are (partly) the witness's, not only the stamps around the act. */
  witnessed: boolean;
}

const lineNs = (stdout: string, key: string): number | null => {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(stdout);
  return m ? Number(m[1]) / 1e6 : null;
};

/** A command's own stamps (epoch ms on the host's clock), narrowed by its witness when it printed one, or null if its output lacks them. */
export function stampsOf(result: ExecResult): ActStamps | null {
  const from = lineNs(result.stdout, STAMP_FROM);
  const to = lineNs(result.stdout, STAMP_TO);
  if (from === null || to === null) return null;
  const wFrom = lineNs(result.stdout, WITNESS_FROM);
  const wTo = lineNs(result.stdout, WITNESS_TO);
  // Both bracket the same effect, so it lies in their overlap; a witness that misses the stamps is not used.
  if (wFrom !== null && wTo !== null && wFrom <= wTo && wFrom <= to && wTo >= from) return { fromEpochMs: Math.max(from, wFrom), toEpochMs: Math.min(to, wTo), witnessed: true };
  return { fromEpochMs: from, toEpochMs: to, witnessed: false };
}

/**
 * The window in which stamped acts on one or several nodes took effect, on the run clock: from the first
 * one's start to the last one's end (or to what `inEffectBy` makes of the ends, in the results' order: a
 * fault that holds before every act is done). Only on a local engine (the same clock), and only when it
 * lies inside the calls that made it; else null (the calls' own bounds stand).
 */
export function stampedWindow(
  ctx: Pick<FaultContext, 'clock'>,
  results: readonly ExecResult[],
  callFromMs: number,
  callToMs: number,
  local = engineLocation().local,
  inEffectBy: (endEpochMs: readonly number[]) => number = (ends) => Math.max(...ends),
): { fromMs: number; toMs: number; witnessed: number } | null {
  if (!local) return null;
  const stamps = results.map(stampsOf);
  if (stamps.length === 0 || stamps.some((s) => s === null)) return null;
  const fromMs = ctx.clock.fromEpochMs(Math.min(...stamps.map((s) => s!.fromEpochMs)));
  const toMs = ctx.clock.fromEpochMs(inEffectBy(stamps.map((s) => s!.toEpochMs)));
  if (fromMs < callFromMs - 1 || toMs > callToMs + 1 || toMs < fromMs) return null;
  return { fromMs, toMs, witnessed: stamps.filter((s) => s!.witnessed).length };
}
