import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { painter } from '../../src/cli/colour.js';
import { runLocations, runOutcomeText, runSummaryJson } from '../../src/cli/run-outcome.js';
import type { ResultJson } from '../../src/report/result.js';

// What `drill run` prints at the end: absolute paths and a file:// URL of the report, and the --json line.

const result = JSON.parse(await readFile('test/fixtures/results/pass-redis-kill-master.result.json', 'utf8')) as ResultJson;
const withFiles: ResultJson = {
  ...result,
  files: { writes: { file: 'writes.csv', writes: 10, bytes: 300 }, logs: [{ node: 'redis-1', container: 'c', file: 'logs/redis-1.log', lines: 1, bytes: 1, truncated: false }] },
};
// Relative, as --out reports makes them, in a directory whose name needs encoding in a URL.
const dir = path.join('reports dir', '#1 100%', result.runId);
const written = {
  resultPath: path.join(dir, 'result.json'),
  htmlPath: path.join(dir, 'report.html'),
  junitPath: path.join(dir, 'junit.xml'),
  indexPath: path.join('reports dir', '#1 100%', 'index.html'),
  fallback: false,
};

describe('run outcome', () => {
  it('every path absolute, and report.html as a percent-encoded file:// URL that leads back to it', () => {
    const at = runLocations(withFiles, written);
    const abs = path.resolve(dir);
    assert.deepEqual(at, {
      resultPath: path.join(abs, 'result.json'),
      reportPath: path.join(abs, 'report.html'),
      reportUrl: at.reportUrl,
      junitPath: path.join(abs, 'junit.xml'),
      writesPath: path.join(abs, 'writes.csv'),
      logsDir: path.join(abs, 'logs'),
      indexPath: path.resolve('reports dir', '#1 100%', 'index.html'),
    });
    assert.match(at.reportUrl!, /^file:\/\/\/.*\/reports%20dir\/%231%20100%25\/.*\/report\.html$/);
    assert.equal(fileURLToPath(at.reportUrl!), at.reportPath);
  });

  it('text: the summary, then where each file is', () => {
    const text = runOutcomeText(withFiles, written, painter(false));
    const abs = path.resolve(dir);
    assert.ok(text.startsWith('PASS  redis-sentinel-kill-master\n'), text);
    const tail = text.slice(text.indexOf('\n\nreport:') + 2);
    assert.equal(
      tail,
      [
        `report: ${abs}/report.html`,
        `open:   ${runLocations(withFiles, written).reportUrl}`,
        `result: ${abs}/result.json`,
        `junit:  ${abs}/junit.xml`,
        `writes: ${abs}/writes.csv`,
        `logs:   ${abs}/logs/`,
        `index:  ${path.resolve('reports dir', '#1 100%', 'index.html')}`,
        '',
      ].join('\n'),
    );
    assert.match(runOutcomeText(withFiles, written, painter(true)), /^\x1b\[1;32mPASS\x1b\[22;39m/);
  });

  it('text: a fallback result.json, or nothing written at all', () => {
    assert.match(
      runOutcomeText(result, { resultPath: '/tmp/drill-x-result.json', fallback: true }, painter(false)),
      /the reports directory failed: result\.json saved to \/tmp\/drill-x-result\.json\n$/,
    );
    assert.match(runOutcomeText(result, null, painter(false)), /the whole result\.json follows:\n\{"schemaVersion":1/);
  });

  it('--json: drill, drill file, run, verdict, reason, objectives with their state, the key figures and every path, absolute', () => {
    const json = runSummaryJson(withFiles, 'drills/redis-sentinel-kill-master.yaml', written);
    assert.equal(json.drill, 'redis-sentinel-kill-master');
    assert.equal(json.drillFile, path.resolve('drills/redis-sentinel-kill-master.yaml'));
    assert.equal(json.runId, result.runId);
    assert.equal(json.verdict, 'pass');
    assert.equal(json.reason, null);
    assert.deepEqual(
      json.objectives.map((o) => [o.name, o.state]),
      result.objectives.map((o) => [o.name, 'met']),
    );
    const m = result.measured!;
    assert.deepEqual(json.measured, {
      rtoMs: m.rtoMs,
      downtimeMs: m.downtimeMs,
      rpoMs: m.rpoMs,
      precisionMs: m.precisionMs,
      totalWrites: m.totalWrites,
      ackedWrites: m.ackedWrites,
      failedWrites: m.failedWrites,
      unknownWrites: m.unknownWrites,
      lostWrites: m.lostWrites,
      recoveredWrites: m.recoveredWrites,
      unexpectedWrites: m.unexpectedWrites,
    });
    for (const key of ['resultPath', 'reportPath', 'junitPath', 'writesPath', 'logsDir', 'indexPath'] as const) assert.ok(path.isAbsolute(json[key]!), `${key}: ${json[key]}`);
    assert.equal(json.reportUrl, runLocations(withFiles, written).reportUrl);
    assert.ok(!('fallback' in json) && !('result' in json));
    // One line, as stdout carries it.
    assert.doesNotMatch(JSON.stringify(json), /\n/);
  });

  it('--json when the reports directory failed: the fallback result.json, no run-directory paths, and the whole result', () => {
    const json = runSummaryJson(withFiles, 'x.yaml', { resultPath: '/tmp/drill-x-result.json', fallback: true });
    assert.equal(json.resultPath, '/tmp/drill-x-result.json');
    assert.equal(json.reportPath, null);
    assert.equal(json.reportUrl, null);
    assert.equal(json.writesPath, null);
    assert.equal(json.logsDir, null);
    assert.equal(json.fallback, true);
    assert.equal(json.result?.runId, result.runId);
    const nowhere = runSummaryJson(result, 'x.yaml', null);
    assert.equal(nowhere.resultPath, null);
    assert.equal(nowhere.fallback, true);
  });
});
