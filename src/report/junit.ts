import type { LayerCheck, ObjectiveResult, ResultJson } from './result.js';
import { objectiveState } from '../measure/objectives.js';
import { escapeXml } from './escape.js';
import { fmtDeclared, fmtValue, objectiveLabel } from './format.js';
import { precisionOf } from './report-objectives.js';
import { renderSummaryText } from './summary-text.js';
import { num } from './svg-util.js';

// junit.xml: one <testcase> per declared objective, plus one for the drill's own health (the stack came
// up, the faults were injected and healed, teardown left nothing behind). A missed objective is a
// <failure>; a run that could not do its job is an <error> on the health case, so CI tells "the system
// failed the drill" apart from "the drill itself broke".
//
// Shape: the common schema CI systems read (Jenkins junit-10.xsd, and the Ant/windyroad JUnit.xsd for
// each <testsuite>): testsuites(name tests failures errors time) > testsuite(name tests failures errors
// skipped time timestamp hostname id package) > properties, testcase(classname name time) >
// failure|error(message type), system-out, system-err. timestamp is UTC without a zone suffix, as the
// Ant schema's pattern requires.

export const HEALTH_TESTCASE = 'drill health: stack up, faults injected and healed, teardown clean';

interface Case {
  name: string;
  timeS: number;
  failure?: { kind: 'failure' | 'error'; type: string; message: string; details: string };
}

export function renderJunitXml(result: ResultJson): string {
  const drillName = String(result.drill?.name ?? 'unnamed drill');
  const classname = `drill.${drillName}`;
  const runS = runSeconds(result);
  const cases: Case[] = [
    ...(Array.isArray(result.objectives) ? result.objectives : []).map((o) => objectiveCase(result, o)),
    ...(Array.isArray(result.layers) ? result.layers : []).flatMap((l) => l.checks.map((c) => layerCheckCase(l.kind, c))),
    healthCase(result, runS),
  ];
  const failures = cases.filter((c) => c.failure?.kind === 'failure').length;
  const errors = cases.filter((c) => c.failure?.kind === 'error').length;
  const a = (v: unknown) => escapeXml(v, { attribute: true });
  const time = secs(runS);
  const props: [string, unknown][] = [
    ['drill.runId', result.runId],
    ['drill.verdict', result.verdict],
    ['drill.reason', result.reason ?? ''],
    ['drill.file', result.drill?.file],
    ['drill.sha256', result.drill?.sha256],
    ['drill.stack', result.stack?.kind],
    ['drill.primaryBefore', result.stack?.primaryBefore ?? ''],
    ['drill.primaryAfter', result.stack?.primaryAfter ?? ''],
    ['drill.version', result.environment?.drillVersion],
    ['docker.engine', result.environment?.dockerEngine ?? ''],
    ...(result.environment?.dockerHost ? [['docker.host', result.environment.dockerHost] as [string, unknown]] : []),
    ['node', result.environment?.node],
    ['host', result.environment?.host],
    ...Object.entries(result.environment?.images ?? {}).map(([k, v]): [string, unknown] => [`image.${k}`, v]),
    ...(Array.isArray(result.objectives) ? result.objectives : []).flatMap((o): [string, unknown][] => [
      [`objective.${junitName(o)}.declared`, o.declared],
      [`objective.${junitName(o)}.measured`, o.measured ?? ''],
      [`objective.${junitName(o)}.state`, objectiveState(o)],
    ]),
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="drill" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${a(classname)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${a(timestamp(result.startedAt))}" hostname="${a(hostname(result))}" id="0" package="drill">`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${a(k)}" value="${a(v ?? '')}"/>`),
    '    </properties>',
    ...cases.map((c) => {
      const open = `    <testcase classname="${a(classname)}" name="${a(c.name)}" time="${secs(c.timeS)}"`;
      if (!c.failure) return `${open}/>`;
      const f = c.failure;
      return `${open}>\n      <${f.kind} message="${a(f.message)}" type="${a(f.type)}">${escapeXml(f.details)}</${f.kind}>\n    </testcase>`;
    }),
    `    <system-out>${escapeXml(renderSummaryText(result))}</system-out>`,
    '    <system-err></system-err>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  return lines.join('\n');
}

/** A layer's check: named without its threshold, so a CI history survives a changed bound. */
function layerCheckCase(kind: string, c: LayerCheck): Case {
  const name = `${kind}: ${c.name}`;
  if (c.ok) return { name, timeS: 0 };
  const message = `${name}: ${c.measured ?? 'failed'}${c.declared ? ` (declared ${c.declared})` : ''}`;
  return { name, timeS: 0, failure: { kind: 'failure', type: 'LayerCheckFailed', message, details: `${message}\n${c.detail}` } };
}

/** Stable test-case names (no threshold: a CI history survives a changed bound; the bound is in the message and the properties). */
const JUNIT_NAMES: Record<string, string> = {
  rtoMs: 'rto',
  downtimeMs: 'downtime',
  lostWrites: 'lostWrites',
  rpoMs: 'rpo',
  unexpectedWrites: 'unexpectedWrites',
  availability: 'availability',
  withinMs: 'within',
  errantTransactions: 'errantTransactions',
};

/** "rto" for the drill's own, "event2.rto" for an event's (stable across runs of the same drill file). */
function junitName(o: ObjectiveResult): string {
  const name = JUNIT_NAMES[o.name] ?? String(o.name);
  return typeof o.event === 'number' ? `event${o.event}.${name}` : name;
}

function objectiveCase(r: ResultJson, o: ObjectiveResult): Case {
  const label = objectiveLabel(o, r.perEvent);
  const declared = fmtDeclared(o);
  const name = junitName(o);
  const state = objectiveState(o);
  if (state === 'met') return { name, timeS: 0 };
  if (state === 'not-measured') {
    const why = o.why ?? notMeasuredWhy(r);
    const message = `${label}: declared ${declared}, not measured: ${why}`;
    return {
      name,
      timeS: 0,
      failure: {
        kind: 'error',
        type: 'NotMeasured',
        message,
        details: [message, `verdict: ${r.verdict}${r.reason ? ` — ${r.reason}` : ''}`, ...(r.measured?.notes ?? []).map((n) => `note: ${n}`)].join('\n'),
      },
    };
  }
  const p = precisionOf(o.name, r.measured ?? null, o);
  const measured = `${fmtValue(o.measured, o.unit)}${p.valueMs !== null ? ` ${p.text}` : ''}`;
  const message = `${label}: declared ${declared}, measured ${measured}`;
  const details = [
    message,
    `objective: ${o.name} (${o.unit}), declared ${o.declared}, measured ${o.measured ?? 'null'}${p.valueMs !== null ? `, precision ±${p.valueMs} ms` : ''}`,
    `verdict: ${r.verdict}${r.reason ? ` — ${r.reason}` : ''}`,
    ...(r.measured?.notes ?? []).map((n) => `note: ${n}`),
  ].join('\n');
  return { name, timeS: 0, failure: { kind: 'failure', type: 'ObjectiveMissed', message, details } };
}

function notMeasuredWhy(r: ResultJson): string {
  if (r.verdict === 'error' || r.verdict === 'aborted') return `the run ended early: ${r.verdict}`;
  if (r.measured?.recoveredAtMs === null) return 'writes never recovered';
  return 'could not be measured';
}

/**
 * The drill's own health: an error when the run could not do its job (verdict error/aborted), when
 * teardown left resources behind (events marked teardown-error), when a heal failed (heal-error), or
 * when the stack never came up. A drill that measured a FAIL is healthy: its failure is the system's.
 */
function healthCase(r: ResultJson, runS: number): Case {
  const events = Array.isArray(r.events) ? r.events : [];
  const problems: { type: string; text: string }[] = [];
  if (r.verdict === 'error') problems.push({ type: 'DrillError', text: `the run failed: ${r.reason ?? 'no reason recorded'}` });
  if (r.verdict === 'aborted') problems.push({ type: 'DrillAborted', text: `the run was aborted: ${r.reason ?? 'no reason recorded'}` });
  if (r.verdict !== 'pass' && r.verdict !== 'fail' && r.verdict !== 'error' && r.verdict !== 'aborted') problems.push({ type: 'DrillError', text: `unknown verdict ${String(r.verdict)}` });
  const containers = Array.isArray(r.stack?.containers) ? r.stack.containers.length : 0;
  if (containers === 0) problems.push({ type: 'StackNotUp', text: 'the stack did not come up (no container was started)' });
  for (const e of events) {
    if (e?.marker === 'teardown-error') problems.push({ type: 'TeardownError', text: `teardown: ${e.message}` });
    if (e?.marker === 'heal-error') problems.push({ type: 'HealError', text: `heal: ${e.message}` });
  }
  const stackS = ['preflight', 'up', 'down'].reduce((s, k) => s + (num(r.phasesMs?.[k]) ?? 0), 0) / 1000;
  if (problems.length === 0) return { name: HEALTH_TESTCASE, timeS: stackS || runS };
  const unique = [...new Map(problems.map((p) => [p.text, p])).values()];
  const details = [
    ...unique.map((p) => `${p.type}: ${p.text}`),
    `stack: ${r.stack?.kind ?? '?'}, ${containers} containers, primary before ${r.stack?.primaryBefore ?? '?'}, after ${r.stack?.primaryAfter ?? '?'}`,
    `faults: ${(Array.isArray(r.faults) ? r.faults : []).map((f) => `${f.kind} ${f.target} → ${f.container}`).join('; ') || 'none injected'}`,
    `phases (ms): ${Object.entries(r.phasesMs ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ].join('\n');
  return { name: HEALTH_TESTCASE, timeS: stackS || runS, failure: { kind: 'error', type: unique[0]!.type, message: unique.map((p) => p.text).join('; '), details } };
}

function runSeconds(r: ResultJson): number {
  const a = Date.parse(String(r.startedAt));
  const b = Date.parse(String(r.finishedAt));
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? (b - a) / 1000 : 0;
}

/** Decimal seconds with ms precision: what `time` holds in every JUnit dialect. */
function secs(s: number): string {
  return Number.isFinite(s) && s > 0 ? (Math.round(s * 1000) / 1000).toFixed(3) : '0.000';
}

/** 2026-11-22T02:58:04 (UTC, no zone: the Ant schema's pattern); the epoch when startedAt is unreadable. */
function timestamp(iso: unknown): string {
  const t = Date.parse(String(iso));
  return new Date(Number.isFinite(t) ? t : 0).toISOString().slice(0, 19);
}

/** The Ant schema wants a non-empty token: the first word of the recorded host facts. */
function hostname(r: ResultJson): string {
  const h = String(r.environment?.host ?? '')
    .trim()
    .split(/\s+/)[0];
  return h || 'localhost';
}
