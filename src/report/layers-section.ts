import type { AlertRecord, BackupLayerResult, LayerResult, LbVipLayerResult, MonitoringLayerResult, ResultJson } from './result.js';
import { html, type SafeHtml } from './escape.js';
import { fmtInt, fmtMs, fmtOffsetMs } from './format.js';
import { assertNever } from '../util/assert-never.js';

// The drill's layers in the HTML report: each layer's checks (a failed one fails the drill), then what
// it recorded. Absent when the drill has no layer.

export function layersSection(r: ResultJson): SafeHtml | string {
  const layers = Array.isArray(r.layers) ? r.layers : [];
  if (layers.length === 0) return '';
  return html`<section data-testid="layers-section"><h2>Layers</h2>${layers.map((l) => layerBlock(l))}</section>`;
}

function layerBlock(l: LayerResult): SafeHtml {
  switch (l.kind) {
    case 'backup':
      return backupBlock(l);
    case 'monitoring':
      return monitoringBlock(l);
    case 'lb-vip':
      return lbVipBlock(l);
    default:
      return assertNever(l, 'layer');
  }
}

function checksTable(l: LayerResult): SafeHtml {
  return html`<table data-testid="layer-checks"><thead><tr><th>Check</th><th>Declared</th><th>Measured</th><th>Result</th><th>What was found</th></tr></thead><tbody>
${l.checks.map(
  (c) =>
    html`<tr class="${c.ok ? '' : 'row-missed'}" data-testid="layer-check" data-ok="${String(c.ok)}"><td>${c.name}</td><td>${c.declared ?? '—'}</td><td>${c.measured ?? '—'}</td><td>${
      c.ok ? html`<span class="met">ok</span>` : html`<span class="missed">failed</span>`
    }</td><td>${c.detail}</td></tr>`,
)}
</tbody></table>`;
}

function backupBlock(l: BackupLayerResult): SafeHtml {
  const method = l.method === 'rdb' ? 'RDB snapshot over replication (redis-cli --rdb)' : 'logical dump (mariadb-dump --single-transaction)';
  return html`<h3>Backup store on a second site</h3>
<p>${method}, every ${fmtMs(l.everyMs)}, keeping ${fmtInt(l.keep)}; store: ${l.containers.map((c) => html`<code>${c.name}</code> `)}. The newest backup taken before the first fault was restored into a scratch server and read back.</p>
${checksTable(l)}
<table data-testid="backups"><thead><tr><th class="num">#</th><th>From</th><th class="num">Started</th><th class="num">Took</th><th class="num">Size</th><th>Result</th></tr></thead><tbody>
${l.backups.map(
  (b) =>
    html`<tr class="${b.ok ? '' : 'row-missed'}" data-testid="backup-row"><td class="num">${b.seq}${l.restore?.seq === b.seq ? ' (restored)' : ''}</td><td><code>${b.node}</code></td><td class="num">${fmtMs(b.startedAtMs)}</td><td class="num">${fmtMs(
      b.endedAtMs - b.startedAtMs,
    )}</td><td class="num">${b.bytes === null ? '—' : `${fmtInt(b.bytes)} B`}</td><td>${b.ok ? (b.deletedAtMs === undefined ? 'kept' : html`deleted by retention at ${fmtMs(b.deletedAtMs)}`) : html`<span class="missed">${b.error ?? 'failed'}</span>`}</td></tr>`,
)}
</tbody></table>
${restoresBlock(l)}`;
}

/** The restore steps onto a fresh node (docs/backup-restore.md): the scheme's RPO in words, and each phase timed. */
function restoresBlock(l: BackupLayerResult): SafeHtml | string {
  const restores = l.restores ?? [];
  if (restores.length === 0 && !l.rpoExplained) return '';
  return html`<h3>Restore onto a fresh node</h3>
${l.rpoExplained ? html`<p data-testid="rpo-explained">At the disaster: ${l.rpoExplained}.</p>` : ''}
${restores.map(
  (r) =>
    html`<p>Backup #${r.backupSeq}${r.backupGtid ? html` (GTID ${r.backupGtid})` : ''} onto <code>${r.node ?? '—'}</code>, target ${r.target}${r.replayedTransactions ? html`, ${fmtInt(r.replayedTransactions)} archived transactions replayed${r.lastReplayedGtid ? html` (last ${r.lastReplayedGtid})` : ''}` : ''}; ${fmtInt(r.copiedBytes)} B copied. ${
      r.error
        ? html`<span class="missed">Failed: ${r.error}</span>`
        : r.restoreTimeMs === null
          ? 'No write was acknowledged after it.'
          : html`First good write ${fmtMs(r.restoreTimeMs)} after the step began.`
    }${
      r.firstGoodReadAtMs === undefined || r.error
        ? ''
        : r.readRestoreTimeMs == null
          ? ' No read found old data after it.'
          : html` First read of old data (a value acknowledged before the disaster) ${fmtMs(r.readRestoreTimeMs)} after the step began.`
    }</p>
${r.skipped?.length ? html`<p data-testid="restore-skipped">Skipped as unusable: ${r.skipped.map((k) => html`backup #${k.seq} (${k.why}) `)}</p>` : ''}
${r.chainGap ? html`<p data-testid="restore-chain-gap" class="missed">The binlog archive's chain is broken after <code>${r.chainGap.lastFile}</code> (missing ${r.chainGap.missing.map((f) => html`<code>${f}</code> `)}): the replay stopped there${r.chainGap.lastEventAtMs === null ? '' : html`, at binlog time ${fmtMs(r.chainGap.lastEventAtMs)} (whole seconds)`}; what came after is lost.</p>` : ''}
${
  r.checksum
    ? html`<p data-testid="restore-checksum" class="${r.checksum.match ? '' : 'missed'}">Table checksum (CHECKSUM TABLE of the ${fmtInt(r.checksum.expectedRows)} rows ${r.checksum.basis}, built from drill's history, against the same ids in the restored <code>drill.writes</code>): ${r.checksum.expected ?? '?'} expected, ${r.checksum.restored ?? '?'} restored (${fmtInt(r.checksum.restoredRows)} rows): ${r.checksum.match ? 'they match' : 'they differ'}.</p>`
    : ''
}
<table data-testid="restore-phases"><thead><tr><th>Phase</th><th class="num">Started</th><th class="num">Took</th><th>What</th></tr></thead><tbody>
${r.phases.map((p) => html`<tr data-testid="restore-phase" data-phase="${p.name}"><td>${p.name.replace('restore-', '')}</td><td class="num">${fmtMs(p.startedAtMs)}</td><td class="num">${fmtMs(p.endedAtMs - p.startedAtMs)}</td><td>${p.detail}</td></tr>`)}
</tbody></table>`,
)}`;
}

/** A time relative to a reference (the fault, for alerts), or a dash. */
function rel(atMs: number | null, fromMs: number | null): string {
  if (atMs === null) return '—';
  return fromMs === null ? fmtMs(atMs) : fmtOffsetMs(atMs - fromMs);
}

function monitoringBlock(l: MonitoringLayerResult): SafeHtml {
  const forOf = (a: AlertRecord) => l.rules.find((r) => r.name === a.name)?.for ?? '0s';
  const what =
    l.watching === 'yours'
      ? html`Your own Prometheus (scrape every ${fmtMs(l.scrapeIntervalMs)}, rules evaluated every ${fmtMs(l.evaluationIntervalMs)}, from its running configuration) and Alertmanager (group_wait ${fmtMs(l.groupWaitMs)}), read-only; an alert's arrival in Alertmanager was seen by polling its API every ${fmtMs(l.pollMs ?? 0)}.`
      : html`Real Prometheus (scrape every ${fmtMs(l.scrapeIntervalMs)}, rules evaluated every ${fmtMs(l.evaluationIntervalMs)}; rules: ${l.ruleFiles.map((f) => html`<code>${f}</code> `)}) and Alertmanager (group_wait ${fmtMs(l.groupWaitMs)}) notifying drill's webhook receiver; container ${l.containers.map((c) => html`<code>${c.name}</code>`)}.`;
  return html`<h3>Monitoring: did the alert fire, and how fast</h3>
<p>${what} Times are from the drill's first event (± ${fmtMs(l.precisionMs)}). MTTD = scrape (≤ ${fmtMs(l.scrapeIntervalMs)}) + evaluation (≤ ${fmtMs(l.evaluationIntervalMs)}) + the rule's <code>for:</code> + group_wait (${fmtMs(l.groupWaitMs)}) + delivery.</p>
${checksTable(l)}
<table data-testid="alerts"><thead><tr><th>Alert</th><th>Node</th><th>for</th><th class="num">Pending</th><th class="num">Firing</th><th class="num">Notified (MTTD)</th><th class="num">Resolved</th><th class="num">Resolve notified</th></tr></thead><tbody>
${
  l.alerts.length === 0
    ? html`<tr><td colspan="8">No alert went pending or fired during the drill.</td></tr>`
    : l.alerts.map(
        (a) =>
          html`<tr data-testid="alert-row" data-alert="${a.name}"><td><code>${a.name}</code></td><td>${a.node ?? '—'}</td><td>${forOf(a)}</td><td class="num">${rel(a.pendingAtMs, l.faultAtMs)}</td><td class="num">${rel(a.firingAtMs, l.faultAtMs)}</td><td class="num" data-testid="alert-notified">${rel(
            a.notifiedAtMs,
            l.faultAtMs,
          )}</td><td class="num">${rel(a.resolvedAtMs, l.faultAtMs)}</td><td class="num">${rel(a.resolveNotifiedAtMs, l.faultAtMs)}</td></tr>`,
      )
}
</tbody></table>`;
}

const optMs = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : fmtMs(ms));

function lbVipBlock(l: LbVipLayerResult): SafeHtml {
  const k = l.keepalived;
  const h = l.healthCheck;
  const checks =
    l.front === 'database'
      ? html`an external check of read_only every ${fmtMs(h.interMs)}, fall ${h.fall}, rise ${h.rise}`
      : l.front === 'redis'
        ? html`a tcp-check expecting role:master every ${fmtMs(h.interMs)}, fall ${h.fall}, rise ${h.rise}`
        : l.proxy === 'haproxy'
          ? html`health checks every ${fmtMs(h.interMs)}, fall ${h.fall}, rise ${h.rise}`
          : html`passive checks (max_fails ${h.fall}, fail_timeout ${fmtMs(h.interMs)})`;
  const backends = l.backends;
  // The apps' own counters are keyed by app instance, whatever sits behind the proxies.
  const apps = [...new Set(l.served.flatMap((x) => Object.keys(x.perBackend)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const how =
    l.front === 'database'
      ? html`The app's database pool connected through <code>${l.loadUrl}</code>; HAProxy sent it only to the node with read_only=0.`
      : l.front === 'redis'
        ? html`The app's Redis client connected through <code>${l.loadUrl}</code> (not through Sentinel); HAProxy sent it only to the node that said role:master.`
        : l.reach === 'forwarder'
          ? html`The load entered through a forwarder published on <code>${l.loadUrl}</code>, relaying to <code>${l.vipUrl ?? l.vip}</code>.`
          : html`The load entered through <code>${l.loadUrl}</code>.`;
  return html`<h3>Front door: ${l.proxy} behind a Keepalived VIP${l.front === 'database' ? ' (in front of the databases)' : l.front === 'redis' ? ' (in front of the Redis nodes)' : ''}</h3>
<p>${l.proxy} and keepalived on ${l.containers.filter((c) => c.role === 'lb').map((c) => html`<code>${c.name}</code> `)}holding <code>${l.vip}</code> (VRRPv3, advert_int ${fmtMs(k.advertIntMs)}, priorities ${k.priorities.join('/')}, ${k.preempt ? 'preempt' : 'nopreempt'}, ${
    k.trackProxy ? html`track_script on the proxy every ${fmtMs(k.trackIntervalMs)} × fall ${k.trackFall}` : 'no track_script'
  }) in front of ${backends.map((b) => html`<code>${b}</code> `)}(${checks}). ${how}</p>
${checksTable(l)}
<table data-testid="lb-explain"><thead><tr><th>Fault</th><th>Setting</th><th>Expected</th><th class="num">VIP moved</th><th class="num">Server out</th><th class="num">Split brain</th><th class="num">Client RTO</th><th>What happened</th></tr></thead><tbody>
${
  l.explain.length === 0
    ? html`<tr><td colspan="8">No fault hit the front door or its app instances.</td></tr>`
    : l.explain.map(
        (r) =>
          html`<tr data-testid="lb-explain-row"><td>${r.fault}</td><td>${r.setting}</td><td>${r.expected}</td><td class="num" data-testid="lb-vip-moved">${optMs(r.vipMovedMs)}</td><td class="num">${optMs(r.removedMs)}</td><td class="num">${optMs(r.splitBrainMs)}</td><td class="num">${optMs(r.clientRtoMs)}</td><td>${r.detail}</td></tr>`,
      )
}
</tbody></table>
<p data-testid="lb-split-brain">VRRP split brain (both nodes held the VIP): ${
    l.splitBrain.windows.length === 0 ? 'never' : html`${fmtMs(l.splitBrain.totalMs)} in all: ${l.splitBrain.windows.map((w) => html`${fmtMs(w.fromMs)}–${fmtMs(w.toMs)} `)}`
  }</p>
<table data-testid="lb-holders"><thead><tr><th class="num">From</th><th class="num">To</th><th>VIP held by</th></tr></thead><tbody>
${l.holders.map((w) => html`<tr class="${w.nodes.length > 1 ? 'row-missed' : ''}"><td class="num">${fmtMs(w.fromMs)}</td><td class="num">${fmtMs(w.toMs)}</td><td>${w.nodes.length ? w.nodes.join(' + ') : 'nobody'}</td></tr>`)}
</tbody></table>
<table data-testid="lb-served"><thead><tr><th class="num">At</th>${apps.map((b) => html`<th class="num">${b} req/s</th>`)}</tr></thead><tbody>
${l.served.map((s) => html`<tr><td class="num">${fmtMs(s.atMs)}</td>${apps.map((b) => html`<td class="num">${s.perBackend[b] === null || s.perBackend[b] === undefined ? '—' : fmtInt(s.perBackend[b])}</td>`)}</tr>`)}
</tbody></table>
${proxyServedBlock(l)}`;
}

/** HAProxy's own per-server counters, read inside each LB node every few hundred ms; only the reads of a node that was sending traffic. */
function proxyServedBlock(l: LbVipLayerResult): SafeHtml {
  const ps = l.proxyServed;
  if (!ps) return html``;
  const rows = ps.samples.filter((x) => Object.values(x.perBackend).some((n) => n > 0));
  return html`<p>What each LB node's HAProxy sent each server (its stats socket, read every ${fmtMs(ps.everyMs)} inside the node), ${ps.unit} per second; reads of an idle node left out.</p>
<table data-testid="lb-proxy-served"><thead><tr><th class="num">At</th><th>LB node</th>${l.backends.map((b) => html`<th class="num">${b} ${ps.unit === 'requests' ? 'req/s' : 'sessions/s'}</th>`)}</tr></thead><tbody>
${rows.map((x) => html`<tr><td class="num">${fmtMs(x.atMs)}</td><td>${x.lb}</td>${l.backends.map((b) => html`<td class="num">${fmtInt(x.perBackend[b] ?? 0)}</td>`)}</tr>`)}
</tbody></table>`;
}
