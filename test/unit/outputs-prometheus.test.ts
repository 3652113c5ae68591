import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';
import { renderPrometheus } from '../../src/outputs/prometheus.js';
import type { ResultJson } from '../../src/report/result.js';

const fixture = async (name: string) => JSON.parse(await readFile(path.join(import.meta.dirname, '..', 'fixtures', 'results', `${name}.result.json`), 'utf8')) as ResultJson;

it('Prometheus text: base units, a HELP and TYPE per family, figures drill does not have left out (never 0)', async () => {
  const r = await fixture('pass-redis-kill-master');
  const text = renderPrometheus(r);
  assert.match(text, new RegExp(`^drill_rto_seconds\\{drill="redis-sentinel-kill-master"\\} ${r.measured!.rtoMs! / 1000}$`, 'm'));
  for (const line of text.trim().split('\n')) assert.match(line, /^(# (HELP|TYPE) drill_\w+ .+|drill_\w+\{[^}]*\} -?[\d.e+-]+)$/, line);
  const aborted = renderPrometheus({ ...r, verdict: 'aborted', measured: null });
  assert.doesNotMatch(aborted, /drill_rto_seconds/);
  assert.match(aborted, /^drill_run_passed\{drill="redis-sentinel-kill-master"\} 0$/m);
});

it('Prometheus text: label values are escaped (backslash, quote, newline)', async () => {
  const r = await fixture('pass-redis-kill-master');
  const text = renderPrometheus({
    ...r,
    layers: [
      {
        kind: 'backup',
        method: 'rdb',
        everyMs: 1000,
        keep: 1,
        containers: [],
        backups: [],
        restore: null,
        lostIfRestored: null,
        restoreRpoMs: null,
        checks: [{ name: 'a "quoted"\\ check\nx', ok: false, detail: '' }],
      },
    ],
  });
  assert.match(text, /check="a \\"quoted\\"\\\\ check\\nx"\} 0$/m);
});

it('Prometheus text: each event has its own series, and two events declaring the same objective stay two series', async () => {
  const r = await fixture('pass-redis-kill-master');
  const row = {
    step: 0,
    endMs: 0,
    windowEndMs: 0,
    sentWrites: 100,
    failedWrites: 3,
    unknownWrites: 1,
    downtimeMs: 0,
    precisionMs: 5,
    firstFailureAtMs: null,
    recoveredAtMs: null,
    overlappedBy: null,
    notes: [],
  };
  const text = renderPrometheus({
    ...r,
    perEvent: [
      { ...row, index: 1, kind: 'failover', label: 'kill primary → redis-1', startMs: 1000, rtoMs: 2500, lostWrites: 0, withinMs: null, errantTransactions: null },
      { ...row, index: 2, kind: 'rejoin', label: 'rejoin redis-1', startMs: 5000, rtoMs: 0, lostWrites: 0, withinMs: 1200, errantTransactions: null },
    ],
    objectives: [
      { name: 'rtoMs', event: 1, declared: 10_000, measured: 2500, met: true, unit: 'ms', state: 'met' },
      { name: 'rtoMs', event: 2, declared: 1000, measured: 0, met: true, unit: 'ms', state: 'met' },
    ],
  });
  assert.match(text, /^drill_event_rto_seconds\{drill="redis-sentinel-kill-master",event="1",kind="failover"\} 2\.5$/m);
  assert.match(text, /^drill_event_duration_seconds\{drill="redis-sentinel-kill-master",event="2",kind="rejoin"\} 1\.2$/m);
  assert.match(text, /^drill_event_failed_writes\{drill="redis-sentinel-kill-master",event="1",kind="failover"\} 4$/m);
  assert.doesNotMatch(text, /drill_event_errant_transactions/);
  const met = text.split('\n').filter((l) => l.startsWith('drill_objective_met{'));
  assert.deepEqual(met, ['drill_objective_met{drill="redis-sentinel-kill-master",objective="rto",event="1"} 1', 'drill_objective_met{drill="redis-sentinel-kill-master",objective="rto",event="2"} 1']);
});
