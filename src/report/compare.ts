import { objectiveState } from '../measure/objectives.js';
import type { Measured } from '../measure/types.js';
import type { ObjectiveResult, ResultJson } from './result.js';
import { faultOrigin, pairSystemEvents, type EventPair } from './compare-events.js';
import { judge, type ChangeKind } from './compare-judge.js';
import { OBJECTIVE_LABELS } from './format.js';
import { precisionOf } from './report-objectives.js';
import { num } from './svg-util.js';

export type { EventPair, FaultOrigin } from './compare-events.js';
export { judge, type ChangeKind } from './compare-judge.js';

// What changed between two runs of a drill (A, then B), from their result.json alone: pure, so the text
// and HTML renderings and the tests all read the same numbers. A change is judged against the two
// values' precision added: larger is significant, smaller could be measurement noise.

export type FigureUnit = 'ms' | 'writes' | 'count' | 'per-s' | 'percent';

/** One number in both runs. */
export interface FigureChange {
  key: string;
  label: string;
  unit: FigureUnit;
  a: number | null;
  b: number | null;
  /** b − a; null when either is missing. */
  delta: number | null;
  /** ± bound of the delta: each value's precision added (0 for exact counts); null when there is none to judge by. */
  noise: number | null;
  /** Each value's own ± bound (null: none stated; 0: exact). */
  precisionA: number | null;
  precisionB: number | null;
  change: ChangeKind;
}

export type ObjectiveStateOrNone = 'met' | 'missed' | 'not-measured' | 'not-declared';

export interface ObjectiveChange extends FigureChange {
  name: string;
  declaredA: number | null;
  declaredB: number | null;
  /** max: met when measured ≤ declared; min: met when ≥ (availability). */
  boundA: 'max' | 'min';
  boundB: 'max' | 'min';
  stateA: ObjectiveStateOrNone;
  stateB: ObjectiveStateOrNone;
  /** Why a declared objective has no measured value, per run. */
  whyA: string | null;
  whyB: string | null;
}

/** A fact that is text (a version, an image): equal or not. */
export interface TextChange {
  key: string;
  label: string;
  a: string | null;
  b: string | null;
  changed: boolean;
}

export interface FaultChange {
  /** 1-based, in injection order. */
  index: number;
  /** "kill primary → drill-…-redis-1" per run; null when the run has no n-th fault. */
  whatA: string | null;
  whatB: string | null;
  figures: FigureChange[];
}

export interface RunSide {
  runId: string;
  drillName: string;
  drillFile: string;
  sha256: string;
  verdict: string;
  reason: string | null;
  startedAt: string;
}

export interface RunComparison {
  a: RunSide;
  b: RunSide;
  sameDrill: boolean;
  drillFileChanged: boolean;
  verdictChanged: boolean;
  /** Things a reader must not miss: different drills, a changed drill file. */
  warnings: string[];
  objectives: ObjectiveChange[];
  /** Everything `Measured` holds as a number, in report order; empty when neither run measured anything. */
  measured: FigureChange[];
  faults: FaultChange[];
  /** The system's events relative to the first fault, paired by marker and order. */
  events: EventPair[];
  /** Whether each run's event times are from its fault (true) or on the run clock (false: no fault). */
  eventsFromFault: { a: boolean; b: boolean };
  load: FigureChange[];
  environment: TextChange[];
}

/** Report order (measure/objectives.ts); names this code does not know follow. */
const OBJECTIVE_ORDER = ['rtoMs', 'downtimeMs', 'lostWrites', 'rpoMs', 'unexpectedWrites', 'availability'];

/** Compares run A (the earlier, usually) with run B. Tolerates anything a result.json on disk may hold. */
export function compareResults(a: ResultJson, b: ResultJson): RunComparison {
  const sideA = side(a);
  const sideB = side(b);
  const sameDrill = sideA.drillName === sideB.drillName;
  const drillFileChanged = sideA.sha256 !== sideB.sha256;
  const warnings: string[] = [];
  if (!sameDrill) warnings.push(`different drills: A is "${sideA.drillName}", B is "${sideB.drillName}"`);
  if (drillFileChanged) warnings.push(`the drill file changed: sha256 ${short(sideA.sha256)} (A) vs ${short(sideB.sha256)} (B)`);
  return {
    a: sideA,
    b: sideB,
    sameDrill,
    drillFileChanged,
    verdictChanged: sideA.verdict !== sideB.verdict,
    warnings,
    objectives: compareObjectives(a, b),
    measured: compareMeasured(a.measured ?? null, b.measured ?? null),
    faults: compareFaults(a, b),
    events: pairSystemEvents(a, b),
    eventsFromFault: { a: faultOrigin(a).atMs !== null, b: faultOrigin(b).atMs !== null },
    load: compareLoad(a, b),
    environment: compareEnvironment(a, b),
  };
}

/** A number in both runs; precision per run (null: none stated, 0: exact). Noise is stated only when both runs state theirs. */
export function figure(key: string, label: string, unit: FigureUnit, a: number | null, b: number | null, precisionA: number | null = null, precisionB: number | null = null): FigureChange {
  const noise = precisionA !== null && precisionB !== null ? tidy(precisionA + precisionB) : null;
  return { key, label, unit, a, b, delta: a !== null && b !== null ? tidy(b - a) : null, noise, precisionA, precisionB, change: judge(a, b, noise) };
}

function side(r: ResultJson): RunSide {
  return {
    runId: String(r.runId ?? ''),
    drillName: String(r.drill?.name ?? ''),
    drillFile: String(r.drill?.file ?? ''),
    sha256: String(r.drill?.sha256 ?? ''),
    verdict: String(r.verdict ?? 'error'),
    reason: typeof r.reason === 'string' ? r.reason : null,
    startedAt: String(r.startedAt ?? ''),
  };
}

function objectivesOf(r: ResultJson): ObjectiveResult[] {
  return Array.isArray(r.objectives) ? r.objectives.filter((o) => o && typeof o.name === 'string') : [];
}

/** A value's ± bound as the report states it: a number of ms, 0 when exact, null when unknown. */
function precisionValue(name: string, m: Measured | null, o?: ObjectiveResult): number | null {
  const p = precisionOf(name, m, o);
  return p.valueMs ?? (p.text === 'exact' ? 0 : null);
}

/** The measured value of an objective in one run: its own record when declared there, else what was measured. */
function measuredOf(name: string, m: Measured | null, o: ObjectiveResult | undefined): number | null {
  if (o) return num(o.measured);
  return m && name in m ? num((m as unknown as Record<string, unknown>)[name]) : null;
}

function compareObjectives(a: ResultJson, b: ResultJson): ObjectiveChange[] {
  const oa = objectivesOf(a);
  const ob = objectivesOf(b);
  const declaredNames = new Set<string>([...oa, ...ob].map((o) => o.name));
  const names = [...OBJECTIVE_ORDER.filter((n) => declaredNames.has(n)), ...[...declaredNames].filter((n) => !OBJECTIVE_ORDER.includes(n))];
  const ma = a.measured ?? null;
  const mb = b.measured ?? null;
  return names.map((name) => {
    const da = oa.find((o) => o.name === name);
    const db = ob.find((o) => o.name === name);
    const unit = objectiveUnit(da ?? db);
    const va = measuredOf(name, ma, da);
    const vb = measuredOf(name, mb, db);
    const f = figure(name, OBJECTIVE_LABELS[name] ?? name, unit, va, vb, va === null ? null : precisionValue(name, ma, da), vb === null ? null : precisionValue(name, mb, db));
    return {
      ...f,
      name,
      declaredA: da ? num(da.declared) : null,
      declaredB: db ? num(db.declared) : null,
      boundA: boundOf(da),
      boundB: boundOf(db),
      stateA: da ? objectiveState(da) : 'not-declared',
      stateB: db ? objectiveState(db) : 'not-declared',
      whyA: da?.why ?? null,
      whyB: db?.why ?? null,
    };
  });
}

function compareMeasured(ma: Measured | null, mb: Measured | null): FigureChange[] {
  if (ma === null && mb === null) return [];
  const v = (m: Measured | null, pick: (m: Measured) => unknown) => (m === null ? null : num(pick(m)));
  const p = (m: Measured | null, name: string) => (m === null ? null : precisionValue(name, m));
  // Times with a stated precision, then exact counts, then figures without one (judged only as changed).
  const timed = (key: 'rtoMs' | 'downtimeMs' | 'rpoMs', label: string) => {
    const a = v(ma, (m) => m[key]);
    const b = v(mb, (m) => m[key]);
    return figure(key, label, 'ms', a, b, a === null ? null : p(ma, key), b === null ? null : p(mb, key));
  };
  const count = (key: string, label: string, pick: (m: Measured) => unknown) => {
    const a = v(ma, pick);
    const b = v(mb, pick);
    return figure(key, label, 'writes', a, b, a === null ? null : 0, b === null ? null : 0);
  };
  const plain = (key: string, label: string, pick: (m: Measured) => unknown) => figure(key, label, 'ms', v(ma, pick), v(mb, pick));
  return [
    timed('rtoMs', 'RTO'),
    timed('downtimeMs', 'Downtime'),
    timed('rpoMs', 'RPO'),
    plain('precisionMs', 'Precision of times (±)', (m) => m.precisionMs),
    count('totalWrites', 'Writes sent', (m) => m.totalWrites),
    count('ackedWrites', 'Acknowledged', (m) => m.ackedWrites),
    count('failedWrites', 'Failed', (m) => m.failedWrites),
    count('unknownWrites', 'Unknown outcome', (m) => m.unknownWrites),
    count('lostWrites', 'Lost (acked, missing)', (m) => m.lostWrites),
    count('ackedAfterFault', 'Lost, acked after fault', (m) => m.lost?.ackedAfterFault),
    count('recoveredWrites', 'Unknown, found applied', (m) => m.recoveredWrites),
    count('unexpectedWrites', 'Unexpected', (m) => m.unexpectedWrites),
    count('failuresBeforeFault', 'Failed before the fault', (m) => m.failuresBeforeFault),
    count('inFlightAtFault', 'In flight at the fault', (m) => m.inFlightAtFault),
    plain('firstFailureAfterFaultMs', 'First failed write after fault', (m) => diff(m.firstFailureAtMs, m.faultAtMs)),
    plain('latencyP50Ms', 'Latency p50', (m) => m.latencyMs?.p50),
    plain('latencyP99Ms', 'Latency p99', (m) => m.latencyMs?.p99),
    plain('latencyMaxMs', 'Latency max', (m) => m.latencyMs?.max),
    plain('responseP99Ms', 'From scheduled send p99', (m) => m.responseMs?.p99),
    plain('gapMs', 'Precision: largest send gap', (m) => m.precision?.gapMs),
    plain('injectMs', 'Precision: fault instant bound', (m) => m.precision?.injectMs),
    plain('stableMs', 'Stable window', (m) => m.stableMs),
  ];
}

function compareFaults(a: ResultJson, b: ResultJson): FaultChange[] {
  const fa = Array.isArray(a.faults) ? a.faults.filter(Boolean) : [];
  const fb = Array.isArray(b.faults) ? b.faults.filter(Boolean) : [];
  const byInjection = <T extends { injectedAtMs: number }>(list: T[]) => list.slice().sort((x, y) => (num(x.injectedAtMs) ?? 0) - (num(y.injectedAtMs) ?? 0));
  const sa = byInjection(fa);
  const sb = byInjection(fb);
  const out: FaultChange[] = [];
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const x = sa[i];
    const y = sb[i];
    const what = (f: typeof x) => (f ? `${String(f.kind)} ${String(f.target)} → ${String(f.container)}` : null);
    const t = (f: typeof x, pick: (f: NonNullable<typeof x>) => number | null) => (f ? pick(f) : null);
    const start = (f: NonNullable<typeof x>) => num(f.effectFromMs) ?? num(f.injectedAtMs);
    out.push({
      index: i + 1,
      whatA: what(x),
      whatB: what(y),
      figures: [
        figure(
          'injectedAtMs',
          'Injected at (run clock)',
          'ms',
          t(x, (f) => num(f.injectedAtMs)),
          t(y, (f) => num(f.injectedAtMs)),
        ),
        figure(
          'callMs',
          'Injecting call took',
          'ms',
          t(x, (f) => diff(f.injectReturnedAtMs, f.injectedAtMs)),
          t(y, (f) => diff(f.injectReturnedAtMs, f.injectedAtMs)),
        ),
        figure(
          'boundMs',
          'Fault instant known within',
          'ms',
          t(x, (f) => diff(f.effectByMs ?? f.injectReturnedAtMs, start(f))),
          t(y, (f) => diff(f.effectByMs ?? f.injectReturnedAtMs, start(f))),
        ),
        figure(
          'healedAfterMs',
          'Heal started after injection',
          'ms',
          t(x, (f) => diff(f.healedAtMs, f.injectedAtMs)),
          t(y, (f) => diff(f.healedAtMs, f.injectedAtMs)),
        ),
        figure(
          'healCallMs',
          'Heal took',
          'ms',
          t(x, (f) => diff(f.healReturnedAtMs, f.healedAtMs)),
          t(y, (f) => diff(f.healReturnedAtMs, f.healedAtMs)),
        ),
      ],
    });
  }
  return out;
}

function compareLoad(a: ResultJson, b: ResultJson): FigureChange[] {
  const la = a.load ?? null;
  const lb = b.load ?? null;
  if (la === null && lb === null) return [];
  const row = (key: string, label: string, unit: FigureUnit, pick: (l: ResultJson['load']) => unknown) => figure(key, label, unit, la ? num(pick(la)) : null, lb ? num(pick(lb)) : null);
  return [
    row('rate', 'Rate (writes/s)', 'per-s', (l) => l.rate),
    row('connections', 'Connections', 'count', (l) => l.connections),
    row('timeoutMs', 'Write timeout', 'ms', (l) => l.timeoutMs),
    row('warmupMs', 'Warm-up', 'ms', (l) => l.warmupMs),
    row('durationMs', 'Duration', 'ms', (l) => l.durationMs),
    row('sentWrites', 'Writes sent', 'writes', (l) => l.sentWrites),
    row('lateSends', 'Late sends', 'writes', (l) => l.lateSends),
    row('maxSendLagMs', 'Max send lag', 'ms', (l) => l.maxSendLagMs),
    row('droppedSlots', 'Dropped send slots', 'writes', (l) => l.droppedSlots),
    figure('bucketMs', 'Timeline bucket', 'ms', num(a.timeline?.bucketMs), num(b.timeline?.bucketMs)),
  ];
}

function compareEnvironment(a: ResultJson, b: ResultJson): TextChange[] {
  const text = (key: string, label: string, va: unknown, vb: unknown): TextChange => {
    const x = va === null || va === undefined ? null : String(va);
    const y = vb === null || vb === undefined ? null : String(vb);
    return { key, label, a: x, b: y, changed: x !== y };
  };
  const ea = a.environment;
  const eb = b.environment;
  const imagesA = ea?.images && typeof ea.images === 'object' ? ea.images : {};
  const imagesB = eb?.images && typeof eb.images === 'object' ? eb.images : {};
  const imageKeys = [...new Set([...Object.keys(imagesA), ...Object.keys(imagesB)])].sort();
  return [
    text('drillName', 'Drill', a.drill?.name, b.drill?.name),
    text('drillFile', 'Drill file', a.drill?.file, b.drill?.file),
    text('sha256', 'Drill file sha256', a.drill?.sha256, b.drill?.sha256),
    text('stack', 'Stack', a.stack?.kind, b.stack?.kind),
    text('drillVersion', 'drill', ea?.drillVersion, eb?.drillVersion),
    text('node', 'Node.js', ea?.node, eb?.node),
    text('dockerEngine', 'Docker engine', ea?.dockerEngine, eb?.dockerEngine),
    text('dockerHost', 'Docker host', ea?.dockerHost, eb?.dockerHost),
    text('host', 'Host', ea?.host, eb?.host),
    ...imageKeys.map((k) => text(`image:${k}`, `Image: ${k}`, (imagesA as Record<string, unknown>)[k], (imagesB as Record<string, unknown>)[k])),
  ];
}

/** An objective's unit as a figure's; read as text, since newer results may carry units this code does not know. */
function objectiveUnit(o: ObjectiveResult | undefined): FigureUnit {
  const unit = String(o?.unit);
  return unit === 'ms' ? 'ms' : unit === 'percent' ? 'percent' : 'writes';
}

/** Older results have no `bound`: every objective was a maximum then. */
function boundOf(o: ObjectiveResult | undefined): 'max' | 'min' {
  return (o as { bound?: unknown } | undefined)?.bound === 'min' ? 'min' : 'max';
}

function diff(later: unknown, earlier: unknown): number | null {
  const x = num(later);
  const y = num(earlier);
  return x === null || y === null ? null : round2(x - y);
}

/** Two decimals: run-clock times carry float noise (5004.794715000001) nobody wants in a delta. */
function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A delta without float noise (2550.6 + 539.4 − 2550.6 = 539.4000000000001), keeping the 8 decimals an availability in percent has. */
function tidy(v: number): number {
  return Math.round(v * 1e8) / 1e8;
}

function short(sha: string): string {
  return sha.length > 12 ? `${sha.slice(0, 12)}…` : sha || 'unknown';
}
