import type { ResultJson } from './result.js';
import { html, SafeHtml } from './escape.js';
import { fmtInt, fmtMs, fmtOffsetMs } from './format.js';
import { chartedStyle } from './chart-markers.js';
import { num } from './svg-util.js';

// The evidence an auditor asks for: the stack before and after, the faults, every event, the load, the
// drill file as run with its sha256, and the versions and host it ran on.

const kv = (rows: [string, unknown][], testid = '') =>
  html`<table class="kv"${testid ? html` data-testid="${testid}"` : ''}><tbody>${rows.map(
    ([k, v]) => html`<tr><th>${k}</th><td>${v === null || v === undefined || v === '' ? '—' : v instanceof SafeHtml ? v : String(v)}</td></tr>`,
  )}</tbody></table>`;

export function stackSection(r: ResultJson): SafeHtml {
  const s = r.stack;
  if (!s) return html`<section data-testid="stack"><h2>Stack</h2><p class="muted">The stack was not recorded.</p></section>`;
  const containers = Array.isArray(s.containers) ? s.containers : [];
  const changed = s.primaryBefore !== null && s.primaryAfter !== null && s.primaryBefore !== s.primaryAfter;
  const same = s.primaryBefore !== null && s.primaryBefore === s.primaryAfter;
  return html`<section data-testid="stack"><h2>Stack before and after</h2>
<p class="failover"><span class="muted">${s.kind} · primary before</span> <code data-testid="primary-before">${s.primaryBefore ?? 'unknown'}</code>
<span class="arrow">→</span> <span class="muted">after</span> <code data-testid="primary-after">${s.primaryAfter ?? 'unknown'}</code>
${changed ? html`<span class="pill ok">failed over</span>` : same ? html`<span class="pill warn">same primary</span>` : html`<span class="pill">not known</span>`}</p>
${s.failover ? failoverExplained(s.failover) : ''}
${
  containers.length
    ? html`<table><thead><tr><th>Container</th><th>Role</th><th>Image</th><th>Before</th><th>After</th></tr></thead><tbody>${containers.map(
        (c) =>
          html`<tr><td><code>${c.name}</code></td><td>${c.role}</td><td><code>${c.image}</code></td><td>${c.name === s.primaryBefore ? html`<span class="pill">primary</span>` : ''}${
            faulted(r, c.name) ? html` <span class="pill bad">${faulted(r, c.name)}</span>` : ''
          }</td><td>${c.name === s.primaryAfter ? html`<span class="pill ok">primary</span>` : ''}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">No container was started.</p>`
}
</section>`;
}

/** patroni: expected (from ttl/loop_wait/retry_timeout) next to measured (the nodes' own logs), and the story in words. */
function failoverExplained(f: NonNullable<ResultJson['stack']['failover']>): SafeHtml {
  const bound = (b: { lowMs: number; highMs: number } | null) => (b ? `${fmtMs(b.lowMs)} – ${fmtMs(b.highMs)}` : '—');
  const at = (ms: number | null, node: string | null) => (ms === null ? 'not seen' : `${fmtMs(ms)}${node ? ` (${node})` : ''}`);
  return html`<table class="kv" data-testid="failover-explained"><thead><tr><th>After the fault</th><th>Expected</th><th>Measured</th></tr></thead><tbody>
<tr><th>a replica takes the leader lock</th><td>${bound(f.lockTaken.expected)}</td><td data-testid="lock-taken">${at(f.lockTaken.measuredMs, f.lockTaken.node)}</td></tr>
<tr><th>the old leader demotes itself</th><td>${bound(f.demoted.expected)}</td><td data-testid="demoted">${at(f.demoted.measuredMs, f.demoted.node)}</td></tr>
<tr><th>HAProxy routes writes again</th><td>—</td><td>${at(f.proxyUpMs, null)}</td></tr>
<tr><th>last write the old leader acked and lost</th><td>—</td><td data-testid="last-lost-ack">${f.ackedAfterFault.lastAckMs === null ? 'none' : `${fmtMs(f.ackedAfterFault.lastAckMs)} (${f.ackedAfterFault.lost} lost)`}</td></tr>
</tbody></table>
<p class="muted" data-testid="failover-text">${f.text}</p>`;
}

function faulted(r: ResultJson, container: string): string {
  const f = (Array.isArray(r.faults) ? r.faults : []).find((x) => x.container === container);
  return f ? String(f.kind) : '';
}

export function faultsSection(r: ResultJson): SafeHtml | string {
  const faults = Array.isArray(r.faults) ? r.faults : [];
  if (faults.length === 0) return '';
  return html`<section data-testid="faults"><h2>Faults</h2>
<p class="muted">Injected at = the start of the injecting call; the fault is certainly in effect when the call returned (in effect at), and its <code>duration</code> counts from there. Fault instant = when it took effect, as tightly as the evidence bounds it (the engine's own event, the stamps of a rule change inside the nodes, else the call): the first fault's start is t_fault, its width part of the precision. A network fault's heal is proven by the injection's own probe.</p>
<table><thead><tr><th>Kind</th><th>Target</th><th>Container</th><th class="num">Injected at</th><th class="num">In effect at</th><th class="num">Fault instant</th><th class="num">Healed at</th><th>Proof</th></tr></thead><tbody>
${faults.map(
  (f) => html`<tr><td>${f.kind}</td><td>${f.target}</td><td><code>${f.container}</code></td><td class="num">${fmtMs(f.injectedAtMs)}</td>
<td class="num">${fmtMs(f.injectReturnedAtMs)}</td><td class="num" data-testid="fault-instant">${fmtMs(num(f.effectFromMs) ?? f.injectedAtMs)} … ${fmtMs(num(f.effectByMs) ?? f.injectReturnedAtMs)}${
    f.effectEvidence ? html`<br><span class="muted">${f.effectEvidence}</span>` : html`<br><span class="muted">the injecting call</span>`
  }</td><td class="num">${
    f.healedAtMs === undefined ? (f.kind === 'kill' ? 'not healed (a killed container stays down)' : '—') : fmtMs(f.healedAtMs)
  }</td><td class="msg">${[f.verified ? `injected: ${String(f.verified)}` : '', f.healVerified ? `healed: ${String(f.healVerified)}` : ''].filter(Boolean).join(' · ')}</td></tr>`,
)}
</tbody></table></section>`;
}

export function eventsSection(r: ResultJson): SafeHtml {
  const events = (Array.isArray(r.events) ? r.events.slice() : []).sort((a, b) => (num(a?.atMs) ?? 0) - (num(b?.atMs) ?? 0));
  const faultAt = num(r.measured?.faultAtMs);
  if (events.length === 0) return html`<section data-testid="events"><h2>Events</h2><p class="muted">No events were recorded.</p></section>`;
  const charted = (marker: unknown) => marker === 'fault' || chartedStyle(marker) !== null;
  return html`<section data-testid="events"><h2>Events (${fmtInt(events.length)})</h2>
<p class="muted">Everything the runner, the stack's own logs and the measurement recorded, on the run clock (0 = end of warm-up). Rows in bold are on the chart; a log link opens the node's saved log at the line the event came from (or where the node logged it too).</p>
<table class="events"><thead><tr><th class="num">At</th><th class="num">From fault</th><th>Source</th><th>Marker</th><th>Message</th><th>Log line</th></tr></thead><tbody>
${events.map(
  (e) =>
    html`<tr class="${e.marker === 'teardown-error' ? 'row-missed' : charted(e.marker) ? 'charted' : ''}"><td class="num">${fmtMs(e.atMs)}</td><td class="num">${
      faultAt === null ? '—' : fmtOffsetMs(e.atMs - faultAt)
    }</td><td>${e.source}</td><td>${e.marker ?? ''}</td><td class="msg">${e.message}</td><td>${logLink(r, e.log)}</td></tr>`,
)}
</tbody></table></section>`;
}

/** "redis-1.log:42", linked to the saved file, when the run saved that node's log. */
function logLink(r: ResultJson, ref: unknown): SafeHtml | string {
  const { node, line } = (ref ?? {}) as { node?: unknown; line?: unknown };
  const file = savedLogs(r).find((l) => l.node === node);
  if (!file || typeof line !== 'number') return '';
  return html`<a href="${file.file}" data-testid="log-link" data-line="${line}"><code>${file.file.replace(/^logs\//, '')}:${line}</code></a>`;
}

/** What was saved beside the report: the complete write history and every node's log. */
export function filesSection(r: ResultJson): SafeHtml | string {
  const writes = r.files?.writes && SAFE_FILE.test(String(r.files.writes.file)) ? r.files.writes : undefined;
  const logs = savedLogs(r);
  if (!writes && logs.length === 0) return '';
  return html`<section data-testid="files"><h2>Saved with the run</h2>
<table><thead><tr><th>File</th><th>What</th><th class="num">Size</th></tr></thead><tbody>
${writes ? html`<tr><td><a href="${writes.file}" data-testid="writes-file"><code>${writes.file}</code></a></td><td>every tracked write (${fmtInt(writes.writes)}): id, sent and completed at, outcome, found after recovery</td><td class="num">${fmtBytes(writes.bytes)}</td></tr>` : ''}
${logs.map(
  (l) =>
    html`<tr><td><a href="${l.file}" data-testid="node-log"><code>${l.file}</code></a></td><td>container log of <code>${l.node}</code> (${fmtInt(l.lines)} lines${l.truncated ? ', older lines dropped' : ''}, secrets masked)</td><td class="num">${fmtBytes(l.bytes)}</td></tr>`,
)}
</tbody></table></section>`;
}

/** Links only to plain files beside the report: result.json may come from anywhere (no `javascript:`, no `../`). */
const SAFE_FILE = /^(logs\/)?[A-Za-z0-9_-][A-Za-z0-9._-]*\.(log|csv)$/;
const savedLogs = (r: ResultJson) => (Array.isArray(r.files?.logs) ? r.files.logs : []).filter((l) => SAFE_FILE.test(String(l.file)));

const fmtBytes = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`);

export function loadSection(r: ResultJson): SafeHtml {
  const l = r.load;
  const phases = Object.entries(r.phasesMs ?? {});
  return html`<section data-testid="load"><h2>Load and phases</h2><div class="cols"><div>${
    l
      ? kv([
          ['Rate', `${fmtInt(l.rate)} writes/s (open loop)`],
          ['Connections', l.connections],
          ['Write timeout', fmtMs(l.timeoutMs)],
          ['Warm-up', fmtMs(l.warmupMs)],
          ['Duration', fmtMs(l.durationMs)],
          ['Writes sent', fmtInt(l.sentWrites)],
          ['Late sends', fmtInt(l.lateSends)],
          ['Max send lag', fmtMs(l.maxSendLagMs)],
        ])
      : html`<p class="muted">No load was recorded.</p>`
  }</div><div>${
    phases.length
      ? html`<table><thead><tr><th>Phase</th><th class="num">Took</th></tr></thead><tbody>${phases.map(([k, v]) => html`<tr><td>${k}</td><td class="num">${fmtMs(v)}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">No phase timings.</p>`
  }</div></div></section>`;
}

export function drillFileSection(r: ResultJson): SafeHtml {
  const d = r.drill;
  return html`<section data-testid="drill-file"><h2>Drill file as run</h2>
${kv(
  [
    ['File', d?.file ? html`<code>${d.file}</code>` : null],
    ['sha256', d?.sha256 ? html`<code data-testid="drill-sha256">${d.sha256}</code>` : null],
  ],
  'drill-file-facts',
)}
${d?.source ? html`<pre class="source" data-testid="drill-source"><code>${d.source}</code></pre>` : html`<p class="muted">The source was not recorded.</p>`}
<p class="muted small">Check a copy: <code>sha256sum ${d?.file ?? 'FILE'}</code> must print the sha256 above.</p>
</section>`;
}

export function environmentSection(r: ResultJson): SafeHtml {
  const env = r.environment;
  return html`<section data-testid="environment"><h2>Versions and host</h2>${
    env
      ? kv(
          [
            ['drill', env.drillVersion],
            ['Node.js', env.node],
            ['Docker engine', env.dockerEngine],
            ...(env.dockerHost ? [['Docker host', env.dockerHost] as [string, unknown]] : []),
            ['Host', env.host],
            ...Object.entries(env.images ?? {}).map(([k, v]): [string, unknown] => [`Image: ${k}`, v]),
            ['Started (UTC)', r.startedAt],
            ['Finished (UTC)', r.finishedAt],
            ['Run clock 0 (epoch ms)', r.clockOriginEpochMs],
          ],
          'environment-facts',
        )
      : html`<p class="muted">Not recorded.</p>`
  }</section>`;
}
