import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, drillFromSource, type CliRun } from './cli-from-source.js';

// `drill report --compare A B` through the real command line (yargs, the error mapping, exit codes), on
// stored results: no engine needed. It runs src/cli/main.ts with tsx, so it tests these sources without
// a build; the working directory is a temp dir, where the default HTML file lands.

const FIXTURES = join(ROOT, 'test', 'fixtures', 'results');

function drill(cwd: string, ...args: string[]): Promise<CliRun> {
  return drillFromSource(cwd, args);
}

let dir: string;
let runA: string;
let runB: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-compare-cli-'));
  runA = join(dir, 'reports', '20261122T025804Z-d08b05');
  runB = join(dir, 'reports', '20261122T031210Z-7c41e2');
  for (const [run, file] of [
    [runA, 'pass-redis-kill-master'],
    [runB, 'fail-lost-writes'],
  ] as const) {
    await mkdir(run, { recursive: true });
    await copyFile(join(FIXTURES, `${file}.result.json`), join(run, 'result.json'));
  }
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drill report --compare A B', () => {
  it('exit 0: the comparison as text on stdout, the HTML beside it, its path printed', async () => {
    const run = await drill(dir, 'report', '--compare', runA, runB);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^COMPARE {2}redis-sentinel-kill-master$/m);
    assert.match(run.stdout, /verdict: PASS → FAIL/);
    assert.match(run.stdout, /^ {2}Lost writes .* 0 +25 +\+25 +exact +SIGNIFICANT/m);
    assert.match(run.stdout, /^ {2}RTO .*2\.551 s ± 269\.7 ms +2\.551 s ± 269\.7 ms +0 ms +± 539\.4 ms +same/m);
    assert.match(run.stdout, /^ {2}Lost, acked after fault +0 +12 +\+12 +exact +SIGNIFICANT$/m);
    assert.match(run.stdout, /^ {2}sentinel switch-master #1 /m);
    assert.match(run.stdout, /warning: the drill file changed/);
    const name = 'compare-20261122T025804Z-d08b05-vs-20261122T031210Z-7c41e2.html';
    assert.match(run.stdout, new RegExp(`^compare: ${name}$`, 'm'));
    const page = await readFile(join(dir, name), 'utf8');
    assert.match(page, /data-testid="cmp-objective-lostWrites"/);
    assert.equal(run.stderr, '', 'same drill: no warning');
  });

  it('accepts result.json files and --out FILE', async () => {
    const out = join(dir, 'out', 'a-vs-b.html');
    await mkdir(join(dir, 'out'));
    const run = await drill(dir, 'report', '--compare', join(runA, 'result.json'), join(runB, 'result.json'), '--out', out);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^compare: out\/a-vs-b\.html$/m);
    assert.ok((await stat(out)).size > 1000);
  });

  it('two different drills: compared, with a warning on stderr', async () => {
    const other = join(dir, 'other');
    await mkdir(other);
    const r = JSON.parse(await readFile(join(runB, 'result.json'), 'utf8'));
    r.drill.name = 'mysql-kill-primary';
    await writeFile(join(other, 'result.json'), JSON.stringify(r));
    const run = await drill(dir, 'report', '--compare', runA, other, '--out', join(dir, 'other.html'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^drill: warning: comparing two different drills: A is "redis-sentinel-kill-master", B is "mysql-kill-primary"$/m);
    assert.match(run.stdout, /^COMPARE {2}redis-sentinel-kill-master vs mysql-kill-primary$/m);
  });

  const misuse: [string, () => string[], RegExp][] = [
    ['one path', () => ['report', '--compare', runA], /--compare takes two run directories, A and B \(got 1\)/],
    ['three paths', () => ['report', '--compare', runA, runB, runA], /--compare takes two run directories, A and B \(got 3\)/],
    ['--compare and a run directory', () => ['report', runA, '--compare', runA, runB], /--compare takes its two run directories itself/],
    ['--compare with --metrics-file', () => ['report', '--compare', runA, runB, '--metrics-file', 'x.prom'], /--metrics-file is for one run/],
    ['--out without --compare', () => ['report', runA, '--out', 'x.html'], /--out is for --compare/],
    ['no directory at all', () => ['report'], /name a run directory or a reports directory \(drill report <dir>\), or two runs to compare/],
    ['a path that does not exist', () => ['report', '--compare', join(dir, 'nope'), runB], /nope: no such file or directory/],
    ['a directory without result.json', () => ['report', '--compare', dir, runB], /: no result\.json in this directory/],
    ['a file that is not a result', () => ['report', '--compare', join(ROOT, 'package.json'), runB], /package\.json: not a drill result\.json/],
    ['an --out that cannot be written', () => ['report', '--compare', runA, runB, '--out', join(dir, 'missing-dir', 'x.html')], /missing-dir\/x\.html: cannot write the comparison/],
  ];
  // Independent processes that write nothing: run side by side (each start-up compiles the CLI with tsx, ~1.5 s).
  describe('exit 2 on misuse', { concurrency: true }, () => {
    for (const [what, args, message] of misuse) {
      it(what, async () => {
        const run = await drill(dir, ...args());
        assert.equal(run.code, 2, `${run.stdout}\n${run.stderr}`);
        assert.match(run.stderr, /^drill: /);
        assert.match(run.stderr, message);
        assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      });
    }
  });
});
