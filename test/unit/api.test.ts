import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DrillFileError, createLogger, loadDrill, loadDrillText, runDrill, writeReports, type ResultJson } from '../../src/index.js';
import { FakeEngine } from '../fakes/fake-engine.js';

// The programmatic API as docs/api.md shows it: load a shipped drill file, run it, write its reports.
// The engine is the fake one (test/fakes) so this runs in seconds; the real path is the CLI's, tested
// end to end in test/integration.

describe('programmatic API (src/index.ts)', () => {
  it('loads a shipped drill, runs it and writes result.json, report.html and junit.xml', async () => {
    const drill = await loadDrill('drills/mysql-kill-primary.yaml');
    assert.equal(drill.spec.name, 'mysql-kill-primary');
    const engine = new FakeEngine();
    const { result, reportDir } = await runDrill({
      drill: {
        ...drill,
        spec: { ...drill.spec, load: { ...drill.spec.load, warmupMs: 100, durationMs: 2500 }, steps: drill.spec.steps.map((s) => ('atMs' in s && s.atMs !== undefined ? { ...s, atMs: 300 } : s)) },
      },
      outDir: await import('node:fs/promises').then((fs) => fs.mkdtemp(path.join(os.tmpdir(), 'drill-api-'))),
      log: createLogger({ level: 'silent', pretty: false }),
      signal: new AbortController().signal,
      deps: { docker: engine.docker, stacks: engine.stackPlugins(), createLoad: (o) => engine.createLoad(o) },
    });
    assert.equal(result.verdict, 'pass', result.reason ?? '');
    const paths = await writeReports(reportDir, result);
    const written = JSON.parse(await readFile(paths.resultPath, 'utf8')) as ResultJson;
    assert.equal(written.runId, result.runId);
    assert.match(await readFile(paths.htmlPath, 'utf8'), /<html/);
    assert.match(await readFile(paths.junitPath, 'utf8'), /<testsuites/);
  });

  it('refuses a broken drill with a DrillFileError naming the line and the path', () => {
    assert.throws(
      () => loadDrillText('name: x\nstack: { kind: nope }\n', 'inline.yaml'),
      (e: unknown) => e instanceof DrillFileError && /inline\.yaml:2:\d+: stack/.test(e.message),
    );
  });
});
