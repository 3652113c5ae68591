import type { ResultJson } from './result.js';
import { judge, type ChangeKind } from './compare-judge.js';
import { num } from './svg-util.js';

// The system's own events of two runs (Sentinel, the engine, the stack, the runbook, the detector, a
// backup store), each relative to its run's first fault, paired between the runs so a shift in, say,
// Sentinel's +switch-master shows as one number. drill's own bookkeeping (runner, load, measure) is left
// out: it says what drill did, not how the system reacted.

const DRILL_SOURCES: ReadonlySet<string> = new Set(['runner', 'load', 'measure']);

/** One run's timing reference: the first fault instant (t_fault) and how precisely it is known. */
export interface FaultOrigin {
  /** Run-clock ms of t_fault; null when no fault was injected (times then stay on the run clock). */
  atMs: number | null;
  /** The fault took effect within [atMs, atMs + boundMs]: the injecting call, or up to the engine's own event. */
  boundMs: number;
}

export interface EventPair {
  /** What pairs events: the marker (or, for unmarked events, their source and message with names and numbers blanked). */
  key: string;
  source: string;
  marker: string | null;
  /** 1 for the first event of this key in a run, 2 for the second...: the n-th of A is paired with the n-th of B. */
  occurrence: number;
  /** Time from the run's first fault (run clock when it had none); null when the run has no such event. */
  aMs: number | null;
  bMs: number | null;
  /** bMs − aMs: positive when B's system did it later. */
  shiftMs: number | null;
  /** How far the shift can be off: the two runs' fault-instant bounds added (the events' own times are exact enough). */
  noiseMs: number | null;
  change: ChangeKind;
  messageA: string | null;
  messageB: string | null;
}

/** t_fault as measure/ defines it: the earliest fault's effectFromMs, else its injectedAtMs; the bound up to its effectByMs or the call's return. */
export function faultOrigin(r: ResultJson): FaultOrigin {
  const faults = (Array.isArray(r.faults) ? r.faults : []).filter((f) => f && num(f.injectedAtMs) !== null);
  const first = faults.reduce<(typeof faults)[number] | null>((best, f) => (best === null || f.injectedAtMs < best.injectedAtMs ? f : best), null);
  const measuredAt = num(r.measured?.faultAtMs);
  if (!first) return { atMs: measuredAt, boundMs: num(r.measured?.precision?.injectMs) ?? 0 };
  const atMs = measuredAt ?? num(first.effectFromMs) ?? first.injectedAtMs;
  const byMs = num(first.effectByMs) ?? num(first.injectReturnedAtMs) ?? atMs;
  return { atMs, boundMs: num(r.measured?.precision?.injectMs) ?? Math.max(0, byMs - atMs) };
}

/** The system's events of one run, in time order, each with its pairing key and its time from the fault. */
export function systemEvents(r: ResultJson): { key: string; source: string; marker: string | null; relMs: number; message: string }[] {
  const origin = faultOrigin(r).atMs ?? 0;
  const runTag = String(r.runId ?? '')
    .split('-')
    .at(-1);
  return (Array.isArray(r.events) ? r.events : [])
    .filter((e) => e && num(e.atMs) !== null && !DRILL_SOURCES.has(String(e.source)))
    .map((e) => ({
      key: eventKey(String(e.source), e.marker ?? null, String(e.message ?? ''), runTag),
      source: String(e.source),
      marker: e.marker ?? null,
      relMs: round2(e.atMs - origin),
      message: String(e.message ?? ''),
    }))
    .sort((x, y) => x.relMs - y.relMs);
}

/**
 * The key two runs' events are paired by. A marker is the system's own name for the moment; an event
 * Sentinel publishes under a name drill does not list keeps that name; an unmarked event (the engine's
 * `kill`) is keyed by its message without the container name, the run's id and any number in it, which
 * differ from run to run for the same happening.
 */
export function eventKey(source: string, marker: string | null, message: string, runTag?: string): string {
  const channel = /^\S+: (\S+)/.exec(message)?.[1];
  if (marker === 'sentinel-other' && channel) return `sentinel-other ${channel}`;
  if (marker) return marker;
  let text = message.replace(/^\S+: /, '');
  if (runTag && runTag.length >= 4) text = text.split(runTag).join('*');
  return `${source}: ${text.replace(/\d+(\.\d+)?/g, '#')}`;
}

/**
 * Pairs the system's events of A and B: within each key, the n-th of A with the n-th of B; the rest are in
 * one run only. Pairs come in the order they happened (the earlier of the two times).
 */
export function pairSystemEvents(a: ResultJson, b: ResultJson): EventPair[] {
  const noiseMs = bothFaulted(a, b) ? round2(faultOrigin(a).boundMs + faultOrigin(b).boundMs) : null;
  const evA = systemEvents(a);
  const evB = systemEvents(b);
  const keys = [...new Set([...evA.map((e) => e.key), ...evB.map((e) => e.key)])];
  const pairs: EventPair[] = [];
  for (const key of keys) {
    const inA = evA.filter((e) => e.key === key);
    const inB = evB.filter((e) => e.key === key);
    for (let i = 0; i < Math.max(inA.length, inB.length); i++) {
      const ea = inA[i];
      const eb = inB[i];
      const any = (ea ?? eb)!;
      const pairNoiseMs = ea && eb ? noiseMs : null;
      pairs.push({
        key,
        source: any.source,
        marker: any.marker,
        occurrence: i + 1,
        aMs: ea?.relMs ?? null,
        bMs: eb?.relMs ?? null,
        shiftMs: ea && eb ? round2(eb.relMs - ea.relMs) : null,
        noiseMs: pairNoiseMs,
        change: judge(ea?.relMs ?? null, eb?.relMs ?? null, pairNoiseMs),
        messageA: ea?.message ?? null,
        messageB: eb?.message ?? null,
      });
    }
  }
  const firstMs = (p: EventPair) => Math.min(p.aMs ?? Infinity, p.bMs ?? Infinity);
  return pairs.sort((x, y) => firstMs(x) - firstMs(y) || x.key.localeCompare(y.key) || x.occurrence - y.occurrence);
}

/** Times from the fault are comparable only when both runs had one; otherwise they are on the run clock and no bound is claimed. */
function bothFaulted(a: ResultJson, b: ResultJson): boolean {
  return faultOrigin(a).atMs !== null && faultOrigin(b).atMs !== null;
}

/** Two decimals: run-clock times carry float noise (5004.794715000001) nobody wants in a shift. */
function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
