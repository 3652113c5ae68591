import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fastPlan } from '../../src/cli/cli-fast-path.js';
import { drillFromSource, ROOT } from './cli-from-source.js';

// The CLI's fast path (src/cli/cli-fast-path.ts) takes `--help`, `--version` and `validate <files..>
// [--json]` without yargs. For every argument list it takes, its output and exit code must be yargs' own:
// each case runs both ways (fast path on, and off) and the two are compared byte for byte. Anything it
// does not fully understand goes to yargs.

const GOOD = join(ROOT, 'drills', 'redis-sentinel-kill-master.yaml');
const OTHER = join(ROOT, 'drills', 'redis-stop-replica.yaml');
const ENV = { LANG: 'en_US.UTF-8' };

let dir: string;
let bad: string;
let broken: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-fast-path-'));
  bad = join(dir, 'bad.yaml');
  // A type error deep inside, and a YAML syntax error: both must name file, line and path.
  await writeFile(bad, 'name: bad\nstack:\n  kind: redis-sentinel\n  replicas: many\n');
  broken = join(dir, 'broken.yaml');
  await writeFile(broken, 'name: [unclosed\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the CLI fast path: which argument lists it takes', () => {
  const env = { LANG: 'C.UTF-8' };
  it('takes --help, --version and validate with files and at most one --json', () => {
    assert.deepEqual(fastPlan(['--help'], env, undefined), { kind: 'help' });
    assert.deepEqual(fastPlan(['--version'], env, undefined), { kind: 'version' });
    assert.deepEqual(fastPlan(['validate', 'a.yaml'], env, undefined), { kind: 'validate', files: ['a.yaml'], json: false });
    assert.deepEqual(fastPlan(['validate', '--json', 'a.yaml', 'b.json'], env, undefined), { kind: 'validate', files: ['a.yaml', 'b.json'], json: true });
    assert.deepEqual(fastPlan(['validate', 'a.yaml', '--json'], env, undefined), { kind: 'validate', files: ['a.yaml'], json: true });
  });

  it('leaves everything else to yargs', () => {
    for (const args of [
      [],
      ['-h'],
      ['--help', 'validate'],
      ['validate', '--help'],
      ['--version', '--help'],
      ['validate'],
      ['validate', '--json'],
      ['validate', 'a.yaml', '--json', '--json'],
      ['validate', 'a.yaml', '--json=false'],
      ['validate', 'a.yaml', '--no-json'],
      ['validate', 'a.yaml', '--log-level', 'debug'],
      ['validate', '--', '-a.yaml'],
      ['validate', '-'],
      ['validate', ''],
      ['validate', 'a.yaml', '--jsno'],
      ['run', 'a.yaml'],
      ['run', '--dry-run', 'a.yaml'],
      ['valid', 'a.yaml'],
      ['init'],
    ])
      assert.equal(fastPlan(args, env, undefined), undefined, JSON.stringify(args));
  });
});

describe('the CLI fast path: the same output and exit code as yargs', () => {
  const cases = (): string[][] => [
    ['--help'],
    ['--version'],
    ['validate', GOOD],
    ['validate', GOOD, '--json'],
    ['validate', '--json', GOOD, OTHER],
    ['validate', bad],
    ['validate', broken, GOOD],
    ['validate', '--json', bad, broken],
    ['validate', join(dir, 'missing.yaml')],
    ['validate', '123'],
  ];

  it('for every argument list it takes', async () => {
    for (const args of cases()) assert.ok(fastPlan(args, ENV, undefined), `the fast path takes ${JSON.stringify(args)}`);
    const runs = await Promise.all(cases().map(async (args) => [await drillFromSource(dir, args, { env: ENV }), await drillFromSource(dir, args, { env: ENV, yargsOnly: true })] as const));
    runs.forEach(([fast, yargs], i) => {
      const args = JSON.stringify(cases()[i]);
      assert.deepEqual(fast, yargs, `drill ${args}: fast path vs yargs`);
      assert.ok(fast.stdout !== '' || fast.stderr !== '', `drill ${args} printed nothing`);
    });
    const [bad1] = runs[5]!;
    assert.equal(bad1.code, 2);
    assert.match(bad1.stderr, /bad\.yaml:\d+:\d+: stack/);
    assert.equal(runs[2]![0].code, 0);
  });

  it('and yargs still answers what it does not take (a usage error: exit 2)', async () => {
    const run = await drillFromSource(dir, ['validate', GOOD, '--jsno'], { env: ENV });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Unknown argument: jsno/);
  });
});
