import { parseDurationMs } from '../../spec/duration.js';
import type { MonitoringLayerSpec } from '../../spec/schema.js';
import type { AlertRecord, LayerCheck } from '../result.js';

// From what Prometheus and Alertmanager recorded to the alert records and the layer's checks. Pure:
// the inputs are the raw samples and notifications with their wall-clock times, and a clock mapping.

/** One raw ALERTS sample: Prometheus writes one per evaluation while an alert is pending or firing. */
export interface AlertSample {
  name: string;
  node: string | null;
  state: 'pending' | 'firing';
  /** The evaluation's timestamp, epoch ms. */
  atEpochMs: number;
}

/** One alert in one webhook notification, with the moment the receiver got it. */
export interface NotifiedAlert {
  name: string;
  node: string | null;
  status: 'firing' | 'resolved';
  startsAtEpochMs: number | null;
  endsAtEpochMs: number | null;
  receivedAtEpochMs: number;
}

/**
 * Every episode of every alert (by name and node: pending, maybe firing, maybe resolved), in order of its
 * first sign. Prometheus writes an ALERTS sample at each evaluation while an alert is pending or firing;
 * an episode ends where the samples stop for more than an evaluation and a half. Notifications join the
 * episode whose firing they announce (Alertmanager keeps Prometheus's startsAt: the firing evaluation).
 */
export function alertRecords(samples: readonly AlertSample[], notified: readonly NotifiedAlert[], evaluationIntervalMs: number, toRunMs: (epochMs: number) => number): AlertRecord[] {
  const series = new Map<string, AlertSample[]>();
  for (const s of samples) {
    const key = `${s.name}\u0000${s.node ?? ''}`;
    const list = series.get(key) ?? [];
    list.push(s);
    series.set(key, list);
  }
  const episodes: (AlertRecord & { firstEpochMs: number; firingEpochMs: number | null; lastEpochMs: number })[] = [];
  for (const list of series.values()) {
    list.sort((a, b) => a.atEpochMs - b.atEpochMs || (a.state === 'pending' ? -1 : 1));
    let current: (typeof episodes)[number] | undefined;
    for (const s of list) {
      const gap = current ? s.atEpochMs - current.lastEpochMs : Infinity;
      // A new episode: after a gap, or pending again after firing (the condition cleared between evaluations).
      if (!current || gap > evaluationIntervalMs * 1.5 || (s.state === 'pending' && current.firingEpochMs !== null && s.atEpochMs > current.firingEpochMs)) {
        current = {
          name: s.name,
          node: s.node,
          pendingAtMs: null,
          firingAtMs: null,
          notifiedAtMs: null,
          resolvedAtMs: null,
          resolveNotifiedAtMs: null,
          firstEpochMs: s.atEpochMs,
          firingEpochMs: null,
          lastEpochMs: s.atEpochMs,
        };
        episodes.push(current);
      }
      current.lastEpochMs = s.atEpochMs;
      if (s.state === 'pending' && current.pendingAtMs === null) current.pendingAtMs = toRunMs(s.atEpochMs);
      if (s.state === 'firing' && current.firingEpochMs === null) {
        current.firingEpochMs = s.atEpochMs;
        current.firingAtMs = toRunMs(s.atEpochMs);
      }
    }
  }
  for (const n of notified) {
    // The episode it announces: same alert and node, firing at its startsAt (to the millisecond, within an evaluation for safety).
    const match = episodes
      .filter((e) => e.name === n.name && e.node === n.node && e.firingEpochMs !== null && n.startsAtEpochMs !== null && Math.abs(e.firingEpochMs - n.startsAtEpochMs) < evaluationIntervalMs / 2)
      .sort((a, b) => Math.abs(a.firingEpochMs! - n.startsAtEpochMs!) - Math.abs(b.firingEpochMs! - n.startsAtEpochMs!))[0];
    const episode =
      match ??
      (() => {
        // Fired and resolved between two reads of the series (or the series was cut): the notification alone says it fired.
        const at = n.startsAtEpochMs ?? n.receivedAtEpochMs;
        const e = {
          name: n.name,
          node: n.node,
          pendingAtMs: null,
          firingAtMs: toRunMs(at),
          notifiedAtMs: null,
          resolvedAtMs: null,
          resolveNotifiedAtMs: null,
          firstEpochMs: at,
          firingEpochMs: at,
          lastEpochMs: at,
        };
        episodes.push(e);
        return e;
      })();
    const t = toRunMs(n.receivedAtEpochMs);
    if (n.status === 'firing') episode.notifiedAtMs = episode.notifiedAtMs === null ? t : Math.min(episode.notifiedAtMs, t);
    else {
      episode.resolveNotifiedAtMs = episode.resolveNotifiedAtMs === null ? t : Math.min(episode.resolveNotifiedAtMs, t);
      if (n.endsAtEpochMs !== null) episode.resolvedAtMs = toRunMs(n.endsAtEpochMs);
    }
  }
  return episodes.sort((a, b) => a.firstEpochMs - b.firstEpochMs).map(({ firstEpochMs: _f, firingEpochMs: _g, lastEpochMs: _l, ...r }) => r);
}

function ms(v: number): string {
  return `${(v / 1000).toFixed(3)} s`;
}

/**
 * What bounds MTTD by construction (docs/monitoring.md): at best the rule's `for:` (the failure is seen by
 * the very next scrape and evaluation); at worst a scrape interval (the failure happens just after a
 * scrape) + an evaluation interval (that sample lands just after an evaluation) + `for:` rounded up to
 * whole evaluations (firing is decided only at an evaluation) + group_wait + the fault instant's width.
 * Delivery to the webhook (a few ms here) comes on top.
 */
export function mttdBoundsMs(spec: MonitoringLayerSpec, forMs: number, precisionMs: number): { lowMs: number; highMs: number } {
  const forRounded = Math.ceil(forMs / spec.evaluationIntervalMs) * spec.evaluationIntervalMs;
  return { lowMs: forMs, highMs: spec.scrapeIntervalMs + spec.evaluationIntervalMs + forRounded + spec.groupWaitMs + precisionMs };
}

/** A rule's `for:` in ms (Prometheus durations: 1m, 30s, 500ms, 1h30m); absent: 0. */
export function forMsOf(text: string | null): number {
  if (text === null) return 0;
  return parseDurationMs(text) ?? 0;
}

export interface AssessInput {
  spec: MonitoringLayerSpec;
  /** The alerting rules loaded, with their `for:` as written. */
  rules: readonly { name: string; for: string | null }[];
  alerts: readonly AlertRecord[];
  faultAtMs: number | null;
  /** What faultAtMs is, in words ("kill primary → redis-1", "switchover redis-1 → redis-2"). */
  fromLabel: string;
  recoveredAtMs: number | null;
  precisionMs: number;
}

/** The layer's checks: each declared alert fired (and resolved) in time; each quiet alert stayed quiet. */
export function assessAlerts(input: AssessInput): LayerCheck[] {
  const { spec, rules, alerts, faultAtMs, fromLabel, recoveredAtMs, precisionMs } = input;
  const checks: LayerCheck[] = [];
  for (const objective of spec.alerts) {
    const seen = alerts.filter((a) => a.name === objective.name && (faultAtMs === null || (a.notifiedAtMs ?? a.firingAtMs ?? a.pendingAtMs ?? -Infinity) >= faultAtMs));
    const notified = seen.filter((a) => a.notifiedAtMs !== null).sort((a, b) => a.notifiedAtMs! - b.notifiedAtMs!)[0];
    const mttdMs = notified && faultAtMs !== null ? notified.notifiedAtMs! - faultAtMs : null;
    const declaredFires = objective.firesWithinMs;
    const where = notified?.node ? ` (${notified.node})` : '';
    const forText = rules.find((r) => r.name === objective.name)?.for ?? null;
    const bounds = mttdBoundsMs(spec, forMsOf(forText), precisionMs);
    const explained = ` (by construction between ${ms(bounds.lowMs)}, its for: ${forText ?? '0s'}, and ${ms(bounds.highMs)}: scrape ${ms(spec.scrapeIntervalMs)} + evaluation ${ms(spec.evaluationIntervalMs)} + for: in whole evaluations + group_wait ${ms(spec.groupWaitMs)} + the event instant's width)`;
    const detail =
      faultAtMs === null
        ? 'nothing was broken or changed: there is nothing to detect'
        : notified
          ? `notified ${ms(mttdMs!)} ± ${precisionMs.toFixed(1)} ms after ${fromLabel}${where}: pending at ${fmtRel(notified.pendingAtMs, faultAtMs)}, firing at ${fmtRel(notified.firingAtMs, faultAtMs)}${explained}`
          : seen.some((a) => a.firingAtMs !== null)
            ? 'fired in Prometheus but no notification reached the receiver'
            : seen.some((a) => a.pendingAtMs !== null)
              ? 'went pending but never fired before the end of the drill (its `for:` had not elapsed)'
              : 'never fired: Prometheus never found its condition true during the drill';
    checks.push({
      name: `alert ${objective.name} fires`,
      ok: mttdMs !== null && (declaredFires === undefined || mttdMs <= declaredFires),
      ...(declaredFires !== undefined ? { declared: `≤ ${ms(declaredFires)}` } : {}),
      measured: mttdMs === null ? 'not notified' : `MTTD ${ms(mttdMs)} ± ${precisionMs.toFixed(1)} ms`,
      detail,
    });
    if (objective.resolvesWithinMs !== undefined) {
      const resolved = seen.filter((a) => a.resolveNotifiedAtMs !== null).sort((a, b) => a.resolveNotifiedAtMs! - b.resolveNotifiedAtMs!)[0];
      const afterMs = resolved && recoveredAtMs !== null ? resolved.resolveNotifiedAtMs! - recoveredAtMs : null;
      checks.push({
        name: `alert ${objective.name} resolves`,
        ok: afterMs !== null && afterMs <= objective.resolvesWithinMs,
        declared: `≤ ${ms(objective.resolvesWithinMs)}`,
        measured: afterMs === null ? 'not resolved' : `${ms(afterMs)} after recovery`,
        detail:
          recoveredAtMs === null
            ? 'the writes never recovered: there is no recovery to time the resolution from'
            : resolved
              ? `resolved notification ${ms(afterMs!)} after the writes recovered (condition cleared at ${fmtRel(resolved.resolvedAtMs, recoveredAtMs)} from recovery)`
              : 'no resolved notification reached the receiver before the end of the drill',
      });
    }
  }
  for (const name of spec.noAlert) {
    const fired = alerts.filter((a) => a.name === name && (a.firingAtMs !== null || a.notifiedAtMs !== null));
    checks.push({
      name: `alert ${name} stays quiet`,
      ok: fired.length === 0,
      declared: 'never fires',
      measured: fired.length === 0 ? 'quiet' : `fired ${fired.length}×`,
      detail:
        fired.length === 0
          ? `never fired during the drill${alerts.some((a) => a.name === name) ? ' (it went pending, but its `for:` did not elapse)' : ''}`
          : `fired for ${fired.map((a) => a.node ?? 'the stack').join(', ')}, first at ${ms(Math.min(...fired.map((a) => a.firingAtMs ?? a.notifiedAtMs!)))} into the drill`,
    });
  }
  return checks;
}

function fmtRel(atMs: number | null, fromMs: number): string {
  if (atMs === null) return '—';
  const d = atMs - fromMs;
  return `${d >= 0 ? '+' : '−'}${ms(Math.abs(d))}`;
}
