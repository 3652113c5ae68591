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
