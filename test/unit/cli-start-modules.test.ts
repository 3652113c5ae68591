import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, drillFromSource } from './cli-from-source.js';

// What the quick commands load (issue 21: they start in a fraction of a second only while they leave the
// heavy clients alone). Each runs from the sources with a hook that logs every module loaded
// (test/fixtures/module-log): the engine, load and database clients and the logger belong to the commands
// that run drills, `drill run` refuses a bad drill file before it loads them, and `--help`, `--version`
// and `validate` (the CLI's fast path) do not load the argument parser either. Timings are in
// bench/cli-start.ts, not here.

const MODULE_LOG_HOOK = join(ROOT, 'test', 'fixtures', 'module-log', 'register.mjs');
const DRILL = join(ROOT, 'drills', 'redis-sentinel-kill-master.yaml');
/** The engine, load and database clients: for a drill that runs (and `cleanup`, `images`, `calibrate`). */
const CLIENT_PACKAGES = ['dockerode', 'docker-modem', 'autocannon', 'ioredis', 'mysql2'];
/** The logger: for commands that log (and an unexpected error's log line). */
const LOGGER_PACKAGES = ['pino', 'pino-pretty'];
/** What runs the sources in these tests (tsx), not drill. */
const TEST_HARNESS_PACKAGES = ['tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps'];
/** The argument parser: for everything but the fast path's invocations. */
const PARSER_PACKAGES = ['yargs', 'yargs-parser'];
/** What reading a drill file takes: `--help` and `--version` have no file to read. */
const DRILL_FILE_PACKAGES = ['zod', 'yaml', 'croner'];

/** The package a module URL belongs to (the innermost node_modules entry), or undefined for drill's own. */
function packageOf(url: string): string | undefined {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const [scope, name] = url.slice(at + '/node_modules/'.length).split('/');
  return scope?.startsWith('@') ? `${scope}/${name ?? ''}` : scope;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-start-modules-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Run the CLI with the module log; its exit code, stdout and the packages it loaded. */
async function packagesLoaded(name: string, args: string[]): Promise<{ code: number | null; stdout: string; urls: string[]; packages: Set<string> }> {
  const log = join(dir, `${name}.log`);
  const run = await drillFromSource(ROOT, args, { imports: [MODULE_LOG_HOOK], env: { DRILL_MODULE_LOG: log } });
  const urls = (await readFile(log, 'utf8')).split('\n').filter((u) => u !== '');
  return { code: run.code, stdout: run.stdout, urls, packages: new Set(urls.map(packageOf).filter((p) => p !== undefined)) };
}

describe('what the quick commands load', () => {
  for (const [name, args] of [
    ['help', ['--help']],
    ['version', ['--version']],
  ] as const) {
    it(`drill ${args.join(' ')}: no package at all, not even the argument parser`, async () => {
      const { code, stdout, packages, urls } = await packagesLoaded(name, [...args]);
      assert.equal(code, 0);
      assert.notEqual(stdout, '');
      assert.ok(
        urls.some((u) => u.endsWith('/src/cli/main.ts')),
        'the log holds what was loaded',
      );
      assert.deepEqual(
        [...packages].filter((p) => !TEST_HARNESS_PACKAGES.includes(p)),
        [],
      );
    });
  }

  for (const [name, args] of [
    ['validate', ['validate', DRILL]],
    ['dry-run', ['run', '--dry-run', DRILL]],
  ] as const) {
    it(`drill ${args.slice(0, -1).join(' ')} <file>: the drill file's parsers, no engine, load or database client, no logger`, async () => {
      const { code, packages } = await packagesLoaded(name, [...args]);
      assert.equal(code, 0);
      for (const pkg of DRILL_FILE_PACKAGES) assert.ok(packages.has(pkg), `${pkg} is in the log`);
      for (const pkg of [...CLIENT_PACKAGES, ...LOGGER_PACKAGES]) assert.ok(!packages.has(pkg), `${pkg} was loaded`);
      // validate is the fast path's; run --dry-run goes through yargs.
      for (const pkg of PARSER_PACKAGES) assert.equal(packages.has(pkg), name !== 'validate', `${pkg} loaded: ${packages.has(pkg)}`);
    });
  }

  it('drill run <missing file>: refused (exit 2) before the runner and its clients load', async () => {
    const { code, packages } = await packagesLoaded('run-missing', ['run', join(dir, 'missing.yaml')]);
    assert.equal(code, 2);
    for (const pkg of CLIENT_PACKAGES) assert.ok(!packages.has(pkg), `${pkg} was loaded`);
  });
});
