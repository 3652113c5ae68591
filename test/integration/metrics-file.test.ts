import { freeLocalPort } from '../../src/engine/resources.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, runCli, tempDir } from './helpers.js';

// --metrics-file, read by its real consumer: node_exporter's textfile collector (Debian's binary,
// extracted by scripts/setup into .cache; listening on 127.0.0.1 only, for this test). It parses every
// *.prom file of its directory on each scrape and reports node_textfile_scrape_error 1 for a bad one.

const NODE_EXPORTER = path.join(repoRoot, '.cache', 'node-exporter', 'usr', 'bin', 'prometheus-node-exporter');
const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'results');
let exporter: ChildProcess | undefined;

after(() => {
  exporter?.kill('SIGKILL');
});

/** node_exporter reading `dir`, scraped once: the exposition it serves. */
async function scrape(dir: string): Promise<string> {
  const port = await freeLocalPort();
  exporter = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${dir}`], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const body = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (r) => r.text(),
      () => null,
    );
    if (body !== null) {
      exporter.kill('SIGKILL');
      return body;
    }
    await sleep(100);
  }
  throw new Error('node_exporter did not answer');
}

describe('--metrics-file read by node_exporter', () => {
  it('drill report --metrics-file: every figure of a FAIL run, parsed without error by the textfile collector', async () => {
    const dir = await tempDir('metrics');
    const run = path.join(dir, 'run');
    await mkdir(run);
    await copyFile(path.join(FIXTURES, 'fail-lost-writes.result.json'), path.join(run, 'result.json'));
    const prom = path.join(dir, 'textfile', 'drill.prom');
    await mkdir(path.dirname(prom));
    const cli = await runCli(['report', run, '--metrics-file', prom]);
    assert.equal(cli.code, 0, cli.stderr);
    const result = JSON.parse(await readFile(path.join(run, 'result.json'), 'utf8')) as { drill: { name: string }; measured: { rtoMs: number; lostWrites: number } };
    const body = await scrape(path.dirname(prom));
    assert.match(body, /^node_textfile_scrape_error 0$/m, 'the collector parsed the file');
    const d = `drill="${result.drill.name}"`;
    assert.match(body, new RegExp(`^drill_run_passed\\{${d}\\} 0$`, 'm'));
    assert.match(body, new RegExp(`^drill_rto_seconds\\{${d}\\} ${result.measured.rtoMs / 1000}$`, 'm'));
    assert.match(body, new RegExp(`^drill_lost_writes\\{${d}\\} ${result.measured.lostWrites}$`, 'm'));
    assert.match(body, new RegExp(`^drill_objective_met\\{${d},objective="lost_writes"\\} 0$`, 'm'));
    assert.match(body, new RegExp(`^drill_writes\\{${d},outcome="ok"\\} \\d+$`, 'm'));
    assert.match(body, /^# TYPE drill_rto_seconds gauge$/m);
  });

  it('a file the collector cannot parse is flagged by it (the check above can fail)', async () => {
    const dir = await tempDir('metrics-bad');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'bad.prom'), 'drill_rto_seconds{drill="x" 1\n');
    assert.match(await scrape(dir), /^node_textfile_scrape_error 1$/m);
  });
});
