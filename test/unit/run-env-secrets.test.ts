import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runAndReport } from '../../src/run/run-and-report.js';
import { loadDrillText } from '../../src/spec/load-drill.js';
import { createLogger } from '../../src/util/log.js';
import { FakeEngine } from '../fakes/fake-engine.js';

// A secret from the environment (${DB_PASSWORD}) through a whole run on the fake engine: result.json
// embeds the drill file as written, `${DB_PASSWORD}` and all, and the value itself is in no file the
// run writes (result.json, report.html, junit.xml, writes.csv, the index).

const log = createLogger({ level: 'silent', pretty: false });
const SECRET = 'pw-from-env-7f3a9c';

const TEXT = `name: env-secret
description: "readback as root with \${DB_PASSWORD}, not \${DRILL_READER:-a-plain-value}"
stack: { kind: mysql-replication }
load: { rate: 200, timeout: 1s, warmup: 100ms, duration: 1500ms }
steps:
  - { at: 200ms, fault: pause, target: db-1, duration: 300ms }
  - { waitFor: recovered, timeout: 2s }
measure: { stable: 200ms }
`;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full); // not reports/latest: a link to a run already listed
  }
  return out;
}

describe('a secret from the environment in a run', () => {
  it('is masked in every file the run writes; the embedded drill file is the text as written', async () => {
    const drill = loadDrillText(TEXT, 'env-secret.yaml', { env: { DB_PASSWORD: SECRET } });
    assert.match(drill.spec.description, new RegExp(SECRET), 'the spec itself carries the value');
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'drill-env-run-'));
    try {
      const engine = new FakeEngine();
      const run = await runAndReport({
        drill,
        outDir,
        log,
        signal: new AbortController().signal,
        deps: { docker: engine.docker, stacks: engine.stackPlugins(), createLoad: (o) => engine.createLoad(o) },
      });
      assert.equal(run.result.verdict, 'pass', run.result.reason ?? '');
      assert.ok(run.written);
      assert.equal(run.result.drill.source, TEXT, 'result.json embeds the file as written');
      assert.match(run.result.drill.source, /\$\{DB_PASSWORD\}/);
      assert.equal(run.result.drill.description, 'readback as root with ***, not a-plain-value');

      const files = await filesUnder(outDir);
      const names = files.map((f) => path.basename(f));
      for (const name of ['result.json', 'report.html', 'junit.xml', 'writes.csv', 'index.html']) assert.ok(names.includes(name), `${name} not written: ${names.join(', ')}`);
      for (const file of files) {
        const content = await readFile(file, 'utf8');
        assert.ok(!content.includes(SECRET), `${path.relative(outDir, file)} holds the secret`);
      }
      const html = await readFile(run.paths.htmlPath, 'utf8');
      assert.match(html, /\$\{DB_PASSWORD\}/, 'the report shows the reference, as written');
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
