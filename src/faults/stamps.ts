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

/** A command's own stamps (epoch ms on the host's clock), or null if its output lacks them. */
export function stampsOf(result: ExecResult): { fromEpochMs: number; toEpochMs: number } | null {
  const from = new RegExp(`^${STAMP_FROM} (\\d+)$`, 'm').exec(result.stdout);
  const to = new RegExp(`^${STAMP_TO} (\\d+)$`, 'm').exec(result.stdout);
  if (!from || !to) return null;
  return { fromEpochMs: Number(from[1]) / 1e6, toEpochMs: Number(to[1]) / 1e6 };
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
): { fromMs: number; toMs: number } | null {
  if (!local) return null;
  const stamps = results.map(stampsOf);
  if (stamps.length === 0 || stamps.some((s) => s === null)) return null;
  const fromMs = ctx.clock.fromEpochMs(Math.min(...stamps.map((s) => s!.fromEpochMs)));
  const toMs = ctx.clock.fromEpochMs(inEffectBy(stamps.map((s) => s!.toEpochMs)));
  if (fromMs < callFromMs - 1 || toMs > callToMs + 1 || toMs < fromMs) return null;
  return { fromMs, toMs };
}
