import type { ResultJson } from './result.js';
import { html, SafeHtml } from './escape.js';
import { fmtMs, fmtOffsetMs } from './format.js';
import { f, num } from './svg-util.js';
import { SENTINEL_MARKERS, isMarkerKind, type MarkerKind, type SentinelMarker } from '../measure/markers.js';
import { assertNever } from '../util/assert-never.js';

// The moments drawn on the charts: faults injected and healed, the system's own detection and promotion
// evidence, runbook steps, and the client-side first failure and recovery. Repeated events (three
// Sentinels each report +sdown) are drawn once, at the first report; the tooltip says how many.

export const FAULT_COLOR = '#82071e';

interface MarkerStyle {
  color: string;
  label: string;
  /** Plain-language meaning, for the legend and the key-moments table. */
  meaning: string;
}

export const RUNBOOK_COLOR = '#bf3989';

/** Sentinel's chatter that stays in the events log (its detection, promotion and switch are charted). */
type QuietSentinel = Exclude<SentinelMarker, 'sdown' | 'odown' | 'promoted-slave' | 'switch-master'>;
const quietSentinel = (kind: MarkerKind): kind is QuietSentinel => (SENTINEL_MARKERS as readonly string[]).includes(kind) && !['sdown', 'odown', 'promoted-slave', 'switch-master'].includes(kind);

/**
 * How a marker goes on the chart: a style, 'runbook' (drawn as a runbook step, numbered when repeated), or
 * null (it stays in the events log). A marker kind without a case here does not compile.
 */
export function markerStyle(kind: MarkerKind): MarkerStyle | 'runbook' | null {
  if (quietSentinel(kind)) return null;
  switch (kind) {
    case 'first-failure':
      return { color: '#bc4c00', label: 'first failure', meaning: 'first write after the fault that did not succeed' };
    case 'sdown':
      return { color: '#9a6700', label: 'sdown', meaning: 'detection: a Sentinel sees the master down' };
    case 'odown':
      return { color: '#7d4e00', label: 'odown', meaning: 'detection agreed: a quorum of Sentinels' };
    case 'detection':
      return { color: '#9a6700', label: 'detected', meaning: 'detection: the failure detector declared the primary dead' };
    case 'promoted-slave':
      return { color: '#8250df', label: 'promoted', meaning: 'promotion: a replica was made primary' };
    case 'switch-master':
      return { color: '#0969da', label: 'switch-master', meaning: 'the system announces the new primary' };
    case 'heal':
      return { color: '#6e7781', label: 'healed', meaning: 'the fault was undone' };
    case 'recovered':
      return { color: '#1a7f37', label: 'recovered', meaning: 'first write of the stable window: clients recovered' };
    case 'recovery-timeout':
      return { color: '#cf222e', label: 'gave up', meaning: 'writes did not recover within the step timeout' };
    case 'event-recovered':
      return { color: '#2da44e', label: 'event recovered', meaning: 'first write of the stable window after one event of the drill (a later fault, a switchover, a failback)' };
    case 'reads-failed':
      return { color: '#fb8f44', label: 'reads fail', meaning: 'first read after the fault that did not succeed' };
    case 'reads-recovered':
      return { color: '#54aeff', label: 'reads recovered', meaning: 'first read of the stable window: reads recovered' };
    case 'first-stale-read':
      return { color: '#8250df', label: 'stale reads', meaning: 'the first stale read (the reads row shows them all)' };
    case 'first-dirty-read':
      return { color: '#3e1f79', label: 'dirty reads', meaning: 'the first dirty read: a version later lost' };
    case 'first-own-write-missed':
      return { color: '#bf3989', label: 'own write missed', meaning: "the first read that missed one's own acknowledged write" };
    case 'rejoin-caught-up':
      return { color: '#0550ae', label: 'rejoined', meaning: 'the former primary replicates from the primary again and has caught up' };
    case 'runbook-promote':
    case 'runbook-repoint':
    case 'runbook-switchover':
    case 'runbook-failback':
    case 'runbook-rejoin':
    case 'runbook-restore':
    case 'runbook-restore-check':
    case 'runbook-wait':
    case 'runbook-error':
      return 'runbook';
    case 'backup':
      return { color: '#57606a', label: 'backup', meaning: 'a backup of the primary finished in the store on the second site' };
    case 'backup-error':
      return { color: '#cf222e', label: 'backup failed', meaning: 'a backup did not complete' };
    case 'backup-damage':
      return { color: '#a40e26', label: 'backups damaged', meaning: 'a fault damaged the backups: a backup corrupted, an archived binlog removed, or the store cut off' };
    case 'restore-provision':
      return { color: '#8250df', label: 'provisioned', meaning: 'restore: a fresh database node (new container, empty disk) answers' };
    case 'restore-load':
      return { color: '#8250df', label: 'backup loaded', meaning: 'restore: the backup is loaded into the fresh node' };
    case 'restore-prepare':
      return { color: '#8250df', label: 'backup prepared', meaning: 'restore: mariadb-backup --prepare applied the full backup and its incrementals' };
    case 'restore-replay':
      return { color: '#8250df', label: 'binlogs replayed', meaning: 'restore: the archived binlogs are replayed up to the target' };
    case 'restore-first-write':
      return { color: '#2da44e', label: 'first good write', meaning: 'restore: the first write acknowledged by the restored node' };
    case 'restore-first-read':
      return { color: '#2da44e', label: 'first good read', meaning: 'restore: the first read that found data acknowledged before the disaster' };
    case 'alert-pending':
      return { color: '#bf8700', label: 'alert pending', meaning: "Prometheus found the alert's condition true (its `for:` starts)" };
    case 'alert-firing':
      return { color: '#cf222e', label: 'alert firing', meaning: "the alert's `for:` elapsed: Prometheus fires it to Alertmanager" };
    case 'alert-notified':
      return { color: '#a40e26', label: 'paged', meaning: 'Alertmanager delivered the notification (after group_wait): when a team would be told' };
    case 'alert-resolved':
      return { color: '#2da44e', label: 'alert resolved', meaning: "the alert's condition cleared" };
    case 'vrrp-state':
      return { color: '#8250df', label: 'VRRP', meaning: 'a keepalived node changed state (MASTER, BACKUP, FAULT), in its own log' };
    case 'vip-holder':
      return { color: '#0969da', label: 'VIP', meaning: "the VIP was added to or removed from an LB node's namespace (ip monitor there)" };
    case 'backend-down':
      return { color: '#cf222e', label: 'server down', meaning: 'the proxy took an app instance out (HAProxy health checks; Nginx max_fails)' };
    case 'split-brain':
      return { color: '#a40e26', label: 'split brain', meaning: 'both LB nodes held the VIP at once' };
    case 'replica-link-lost':
      return { color: '#953800', label: 'link lost', meaning: "detection in the system's own log: a replica lost its primary" };
    case 'data-truncated':
      return { color: '#cf222e', label: 'data cut', meaning: 'the server found its append-only file cut short when it loaded it: what power loss took' };
    case 'crash-recovery':
      return { color: '#bc4c00', label: 'crash recovery', meaning: 'the database replayed its redo log (and settled prepared transactions from the binlog) after a crash' };
    case 'snapshot-saved':
      return { color: '#57606a', label: 'snapshot', meaning: 'the server finished a snapshot (RDB) on its disk' };
    case 'semi-sync-off':
      return { color: '#cf222e', label: 'semi-sync off', meaning: 'the primary stopped waiting for a replica: commits from here on may be lost' };
    case 'leader-lock-acquired':
      return { color: '#1a7f37', label: 'leader lock', meaning: 'Patroni: a node took the leader lock in etcd and promoted itself (its own log)' };
    case 'leader-lock-lost':
      return { color: '#953800', label: 'demoted', meaning: 'Patroni: the leader could not keep its lock in etcd and demoted itself (its own log)' };
    case 'proxy-server-down':
      return { color: '#cf222e', label: 'proxy out', meaning: "HAProxy took a node out of its write backend (the node's REST API stopped answering 200 on /primary)" };
    case 'dcs-leader-lost':
      return { color: '#bf8700', label: 'etcd leaderless', meaning: 'etcd: a node lost its raft leader (its own log)' };
    case 'sync-standby-set':
      return { color: '#1a7f37', label: 'sync standby', meaning: 'Patroni named a synchronous standby (synchronous_standby_names): waiting commits go on once it confirms' };
    case 'sync-standby-lost':
      return { color: '#cf222e', label: 'no sync standby', meaning: 'Patroni found its synchronous standby gone: commits wait until it names another (or, strict, until one returns)' };
    // Drawn from the fault records themselves, or only in the events log.
    case 'failsafe-leader':
    case 'dcs-leader-elected':
    case 'proxy-server-up':
    case 'replica-link-up':
    case 'node-promoted':
    case 'new-timeline':
    case 'node-demoted':
    case 'node-ready':
    case 'node-shutdown':
    case 'data-loaded':
    case 'semi-sync-on':
    case 'backend-up':
    case 'fault':
    case 'fault-verified':
    case 'fault-unverified':
    case 'heal-error':
    case 'container-exit':
    case 'load-start':
    case 'load-end':
    case 'probe-start':
    case 'probe-end':
    case 'abort':
    case 'verify':
    case 'stack-kept':
    case 'teardown-error':
    case 'restore':
    case 'restore-error':
    case 'layer-check':
    case 'binlog-archive':
    case 'restore-copy':
    case 'restore-start':
    case 'restore-repoint':
      return null;
    default:
      return assertNever(kind, 'marker');
  }
}

/**
 * The style of a marker read from a result.json, which may come from another drill version: an unknown
 * `runbook-…` marker (an action this version does not know) is still a runbook step; anything else unknown
 * stays in the events log.
 */
export function chartedStyle(marker: unknown): MarkerStyle | 'runbook' | null {
  if (isMarkerKind(marker)) return markerStyle(marker);
  return typeof marker === 'string' && marker.startsWith(RUNBOOK_PREFIX) ? 'runbook' : null;
}

const RUNBOOK_PREFIX = 'runbook-';

export interface Marker {
  /** Stable id for tests and anchors: 'fault', 'fault-2', 'sdown', 'runbook-drain', ... */
  key: string;
  atMs: number;
  color: string;
  label: string;
  /** Tooltip: the full evidence (escaped when rendered). */
  title: string;
  /** What the event was, in words, with its source message. */
  detail: string;
  dashed: boolean;
  /** How many events of this kind there were (drawn once, at the first). */
  count: number;
}

export function collectMarkers(result: ResultJson): Marker[] {
  const faultAt = num(result.measured?.faultAtMs);
  const rel = (at: number) => (faultAt === null ? '' : ` (fault ${fmtOffsetMs(at - faultAt)})`);
  const markers: Marker[] = [];
  const byKey = new Map<string, Marker>();
  const add = (m: Marker) => {
    const seen = byKey.get(m.key);
    if (seen) {
      seen.count++;
      seen.title = `${seen.title}\n${m.title}`;
      return;
    }
    byKey.set(m.key, m);
    markers.push(m);
  };
  const faults = Array.isArray(result.faults) ? result.faults : [];
  faults.forEach((fault, i) => {
    const at = num(fault?.injectedAtMs);
    const suffix = i === 0 ? '' : `-${i + 1}`;
    if (at !== null) {
      const took = num(fault.injectReturnedAtMs);
      add({
        key: `fault${suffix}`,
        atMs: at,
        color: FAULT_COLOR,
        dashed: false,
        count: 1,
        label: `${fault.kind} ${fault.target}`,
        title: `fault: ${fault.kind} ${fault.target} (${fault.container}) at ${fmtMs(at)}${took === null ? '' : `, call returned after ${fmtMs(took - at)}`}`,
        detail: `fault injected: ${fault.kind} ${fault.target} → ${fault.container}`,
      });
    }
    const healed = num(fault?.healedAtMs);
    if (healed !== null) {
      const kind = markerStyle('heal') as MarkerStyle;
      add({
        key: `heal${suffix}`,
        atMs: healed,
        color: kind.color,
        dashed: true,
        count: 1,
        label: kind.label,
        title: `healed ${fault.kind} ${fault.target} at ${fmtMs(healed)}${rel(healed)}`,
        detail: `fault healed: ${fault.kind} ${fault.target}`,
      });
    }
  });
  const events = (Array.isArray(result.events) ? result.events.slice() : []).sort((a, b) => (num(a?.atMs) ?? 0) - (num(b?.atMs) ?? 0));
  const eventOf = eventIndexAt(result);
  for (const ev of events) {
    const at = num(ev?.atMs);
    // Read back from a file: any string (another drill version's marker), or none.
    const marker: string = typeof ev?.marker === 'string' ? ev.marker : '';
    if (at === null || !marker) continue;
    const title = `${ev.source}: ${ev.message} at ${fmtMs(at)}${rel(at)}`;
    const kind = chartedStyle(marker);
    if (kind === 'runbook') {
      const step = marker.slice(RUNBOOK_PREFIX.length) || 'step';
      let key: string = marker;
      for (let n = 2; byKey.has(key); n++) key = `${marker}-${n}`;
      add({ key, atMs: at, color: RUNBOOK_COLOR, dashed: true, count: 1, label: `runbook: ${step}`, title, detail: `runbook step: ${String(ev.message)}` });
      continue;
    }
    if (!kind) continue;
    // A heal already drawn from the fault record is the same moment; keep one. Repeats group per drill
    // event: the second failover's +switch-master is drawn at its own time, not folded into the first's.
    const event = eventOf(at);
    const key: string = event > 1 && marker !== 'heal' ? `${marker}@${event}` : marker;
    const message = String(ev.message ?? '');
    const detail = message === kind.meaning || ev.source === 'measure' ? message || kind.meaning : `${kind.meaning}: ${message}`;
    add({ key, atMs: at, color: kind.color, dashed: true, count: 1, label: kind.label, title, detail });
  }
  return markers.sort((a, b) => a.atMs - b.atMs);
}

/** The drill event (1-based, by start time) a moment falls in; 1 before the second event or without per-event rows. */
function eventIndexAt(result: ResultJson): (atMs: number) => number {
  const starts = (Array.isArray(result.perEvent) ? result.perEvent : [])
    .map((e) => num(e?.startMs))
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  return (atMs) => Math.max(1, starts.filter((t) => t <= atMs).length);
}

export interface MarkerLayout {
  /** y of the plot's top and bottom edge. */
  top: number;
  bottom: number;
  /** Rows of labels above the plot; 0 draws lines only. */
  labelRows: number;
  rowH: number;
  width: number;
}

/** The label a marker shows ("sdown ×3" when it stands for several events). */
function shownLabel(mk: Marker): string {
  return mk.count > 1 ? `${mk.label} ×${mk.count}` : mk.label;
}

/**
 * Label rows above the plot: each label takes the first row where it does not overlap the labels already
 * there (width estimated from its length, generously: 11 px bold). When every row is taken, the marker
 * keeps its line and tooltip but shows no label (row -1): labels never overlap, and the key-moments table
 * lists every marker anyway.
 */
export function assignLabelRows(markers: readonly Marker[], x: (t: number) => number, maxRows: number, width: number): { rows: number[]; used: number; anchors: ('start' | 'end')[] } {
  const rowEnds = new Array<number>(Math.max(1, maxRows)).fill(Number.NEGATIVE_INFINITY);
  const rows: number[] = [];
  const anchors: ('start' | 'end')[] = [];
  for (const mk of markers) {
    const px = x(mk.atMs);
    const w = shownLabel(mk).length * LABEL_CHAR_PX + 10;
    const anchor = px + w > width ? 'end' : 'start';
    const left = anchor === 'end' ? px - w : px;
    // Rows hold labels left to right (markers come sorted by time), except end-anchored ones, which
    // reach back to the left: a row is free when its last label ends before this one starts.
    const row = rowEnds.findIndex((end) => end <= left);
    if (row >= 0) rowEnds[row] = Math.max(rowEnds[row]!, left + w);
    rows.push(row);
    anchors.push(anchor);
  }
  return { rows, anchors, used: Math.max(0, ...rows) + (rows.some((r) => r >= 0) ? 1 : 0) };
}

/** Wider than the widest glyphs of the 11 px bold label font on average, so estimates err on the safe side. */
const LABEL_CHAR_PX = 7.2;

/**
 * Vertical lines from the plot's bottom to the label row of each marker (labels as assigned by
 * assignLabelRows; labelRows 0 draws lines only). Each marker is a <g data-testid="marker-KEY"> with a
 * <title> tooltip.
 */
export function renderMarkers(markers: readonly Marker[], x: (t: number) => number, layout: MarkerLayout): SafeHtml {
  const { rows, anchors } = assignLabelRows(markers, x, layout.labelRows, layout.width);
  return html`${markers.map((mk, i) => {
    const px = x(mk.atMs);
    const mx = f(px);
    const dash = mk.dashed ? new SafeHtml(' stroke-dasharray="4 3"') : '';
    if (layout.labelRows === 0) {
      return html`<g data-testid="marker-${mk.key}"><title>${mk.title}</title><line x1="${mx}" y1="${layout.top}" x2="${mx}" y2="${layout.bottom}" stroke="${mk.color}" stroke-width="1.2"${dash}/></g>`;
    }
    const row = rows[i]!;
    const anchor = anchors[i]!;
    if (row < 0) {
      return html`<g data-testid="marker-${mk.key}" class="mk" data-unlabelled="yes"><title>${mk.title}</title><line x1="${mx}" y1="${layout.top - 4}" x2="${mx}" y2="${layout.bottom}" stroke="${mk.color}" stroke-width="1.5"${dash}/></g>`;
    }
    return html`<g data-testid="marker-${mk.key}" class="mk"><title>${mk.title}</title>
<line x1="${mx}" y1="${layout.top - 4 - row * layout.rowH}" x2="${mx}" y2="${layout.bottom}" stroke="${mk.color}" stroke-width="1.5"${dash}/>
<text x="${f(px + (anchor === 'end' ? -3 : 3))}" y="${layout.top - 6 - row * layout.rowH}" text-anchor="${anchor}" class="marker" fill="${mk.color}">${shownLabel(mk)}</text></g>`;
  })}`;
}

/** The failover story as a table: every charted moment with its time from the fault. */
export function renderKeyMoments(result: ResultJson): SafeHtml | string {
  const markers = collectMarkers(result);
  if (markers.length === 0) return '';
  const faultAt = num(result.measured?.faultAtMs);
  return html`<table class="moments"><thead><tr><th></th><th>Moment</th><th class="num">At</th><th class="num">From fault</th><th>Evidence</th></tr></thead><tbody>
${markers.map(
  (
    m,
  ) => html`<tr data-testid="moment-${m.key}"><td><i class="swatch" style="background:${m.color}"></i></td><td>${m.label}${m.count > 1 ? html` <span class="muted">(first of ${m.count})</span>` : ''}</td>
<td class="num">${fmtMs(m.atMs)}</td><td class="num">${faultAt === null ? '—' : fmtOffsetMs(m.atMs - faultAt)}</td><td class="msg">${m.detail}</td></tr>`,
)}
</tbody></table>`;
}
