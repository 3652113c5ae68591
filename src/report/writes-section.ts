import type { ResultJson } from './result.js';
import { html, type SafeHtml } from './escape.js';
import { fmtInt, fmtMs, fmtOffsetMs } from './format.js';
import { num } from './svg-util.js';

// What happened to the data: lost writes (with ack times relative to the fault), unknown and unexpected
// writes, and replica divergence where the stack measures it.

export function writesSection(r: ResultJson): SafeHtml | string {
  const m = r.measured;
  if (!m) return '';
  const lost = Array.isArray(m.lost?.firstIds) ? m.lost.firstIds : [];
  const span = m.lost?.ackSpanMs;
  const faultAt = num(m.faultAtMs);
  const afterFault = num(m.lost?.ackedAfterFault) ?? 0;
  const lostTable = lost.length
    ? html`<p data-testid="lost-summary"><b>${fmtInt(m.lostWrites)}</b> acknowledged write${m.lostWrites === 1 ? ' is' : 's are'} missing from the primary after recovery${
        span
          ? html`, acknowledged from ${fmtMs(span.firstMs)} to ${fmtMs(span.lastMs)}${faultAt === null ? '' : html` (${fmtOffsetMs(span.firstMs - faultAt)} to ${fmtOffsetMs(span.lastMs - faultAt)} from the fault)`}`
          : ''
      }.${afterFault > 0 ? html` <span class="bad-text"><b>${fmtInt(afterFault)}</b> of them were acknowledged after the fault: a dying primary or split brain kept accepting writes.</span>` : ''}</p>
<p class="muted">The first ${lost.length}, with the time the client got the acknowledgement:</p>
<table data-testid="lost-table"><thead><tr><th class="num">Write id</th><th class="num">Acked at</th><th class="num">Relative to fault</th><th>When</th></tr></thead><tbody>
${lost.map(
  (w) =>
    html`<tr><td class="num">${w.id}</td><td class="num">${fmtMs(w.ackMs)}</td><td class="num">${faultAt === null ? '—' : fmtOffsetMs(w.ackMs - faultAt)}</td><td${w.ackAfterFault ? html` class="bad-text"` : ''}>${
      w.ackAfterFault ? 'after the fault (split brain / dying primary)' : 'before the fault (not yet replicated)'
    }</td></tr>`,
)}
</tbody></table>`
    : html`<p data-testid="lost-summary">${m.lostWrites === null ? 'Whether acknowledged writes were lost is unknown (the data could not be read back).' : m.lostWrites > 0 ? `${fmtInt(m.lostWrites)} acknowledged writes are missing (ids not recorded).` : 'No acknowledged write was lost: every acknowledged id is on the primary after recovery.'}</p>`;

  const unknown = num(m.unknownWrites) ?? 0;
  const applied = num(m.recoveredWrites);
  const ids = (list: readonly number[] | undefined) => (Array.isArray(list) && list.length ? html` First ids: <code>${list.join(', ')}</code>.` : '');
  const unexpected = num(m.unexpectedWrites);
  return html`<section data-testid="writes"><h2>Lost writes</h2>${lostTable}</section>
<section data-testid="unknown-writes"><h2>Unknown and unexpected writes</h2>
<table><thead><tr><th>Kind</th><th class="num">Count</th><th>Meaning</th></tr></thead><tbody>
<tr><td>Unknown outcome</td><td class="num">${fmtInt(unknown)}</td><td>timed out or reset after sending: may or may not have been applied</td></tr>
<tr><td>… found applied</td><td class="num">${applied === null ? 'unknown' : fmtInt(applied)}</td><td>unknown writes present on the primary after recovery${ids(m.recoveredIds)}</td></tr>
<tr><td>… not applied</td><td class="num">${applied === null ? 'unknown' : fmtInt(Math.max(0, unknown - applied))}</td><td>unknown writes absent: they did not happen (not a loss: never acknowledged)</td></tr>
<tr class="${unexpected ? 'row-missed' : ''}"><td>Unexpected</td><td class="num">${unexpected === null ? 'unknown' : fmtInt(unexpected)}</td><td>present but never acknowledged nor pending: ${
    unexpected ? html`<b class="bad-text">a bug in the system under test or in drill; investigate.</b>${ids(m.unexpectedIds)}` : 'should always be 0'
  }</td></tr>
</tbody></table></section>`;
}

export function divergenceSection(r: ResultJson): SafeHtml {
  const d = r.divergence;
  if (d === undefined || d === null || !Array.isArray(d.replicas)) {
    return html`<section data-testid="divergence"><h2>Replica divergence</h2><p class="muted" data-testid="divergence-not-measured">Not measured for this stack (${r.stack?.kind ?? 'unknown'}): only the primary was read back after recovery.</p></section>`;
  }
  if (d.replicas.length === 0) {
    return html`<section data-testid="divergence"><h2>Replica divergence</h2><p data-testid="divergence-none">No replica besides the primary after recovery, <code>${d.reference}</code>, could be read${
      num(d.checkedAtMs) === null ? '' : html` at ${fmtMs(d.checkedAtMs)}`
    }: nothing to compare (a killed or stopped node is not read).</p></section>`;
  }
  return html`<section data-testid="divergence"><h2>Replica divergence</h2>
<p>Each replica compared with the primary after recovery, <code>${d.reference}</code>${num(d.checkedAtMs) === null ? '' : html`, read at ${fmtMs(d.checkedAtMs)}`}.</p>
<table><thead><tr><th>Replica</th><th class="num">Ids present</th><th class="num">Missing</th><th class="num">Acked missing</th><th class="num">Extra (diverged)</th><th class="num">Lag</th><th>State</th></tr></thead><tbody>
${d.replicas.map(
  (rep) => html`<tr class="${rep.converged ? '' : 'row-missed'}" data-testid="divergence-row"><td><code>${rep.name}</code></td><td class="num">${fmtInt(rep.presentWrites)}</td>
<td class="num">${fmtInt(rep.missingWrites)}${rep.firstMissingIds?.length ? html`<div class="muted small">${rep.firstMissingIds.join(', ')}</div>` : ''}</td>
<td class="num">${rep.missingAckedWrites === undefined ? '—' : fmtInt(rep.missingAckedWrites)}</td>
<td class="num">${fmtInt(rep.extraWrites)}${rep.firstExtraIds?.length ? html`<div class="muted small">${rep.firstExtraIds.join(', ')}</div>` : ''}</td>
<td class="num">${lag(rep.lag)}</td><td>${rep.converged ? html`<span class="met">converged</span>` : html`<span class="missed">diverged</span>`}</td></tr>`,
)}
</tbody></table></section>`;
}

function lag(l: { bytes?: number | null; seconds?: number | null } | null | undefined): string {
  if (!l) return '—';
  const parts: string[] = [];
  if (num(l.bytes) !== null) parts.push(`${fmtInt(l.bytes)} B`);
  if (num(l.seconds) !== null) parts.push(`${l.seconds} s`);
  return parts.join(' / ') || '—';
}
