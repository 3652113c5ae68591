import assert from 'node:assert/strict';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { imageRefs } from '../../src/engine/images.js';
import { leftovers, repoRoot, requireEngine, runProgram, tempDir, type CliRun } from './helpers.js';

// The newcomer's path: the package exactly as npm would publish it, installed into an empty directory,
// and `drill` from there: --help, validate, the images it finds, and a real run of the reference drill.

const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string };

// `npm test` hands its own project to the tests (npm_package_*, npm_config_local_prefix, ...): an npm
// started here must see only the temp directory's.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(package_|lifecycle_|config_(local_)?prefix$)/i.test(key)));

function npm(args: string[], cwd: string, timeoutMs = 120_000): Promise<CliRun> {
  return runProgram('npm', args, { cwd, baseEnv: npmEnv, timeoutMs });
}

/** The installed `drill`, as a user would start it; --no: never fetch a package of that name instead. */
function drill(args: string[], cwd: string, timeoutMs = 60_000): Promise<CliRun> {
  return runProgram('npx', ['--no', '--', 'drill', ...args], { cwd, baseEnv: npmEnv, env: { DRILL_LOG_LEVEL: 'info' }, timeoutMs });
}

function ok(run: CliRun, what: string): void {
  assert.equal(run.code, 0, `${what} exited ${run.code}\nstdout:\n${run.stdout.slice(-2000)}\nstderr:\n${run.stderr.slice(-4000)}`);
}

describe(`the packed package (npm pack, npm install, drill from there)`, () => {
  let work: string;
  let installDir: string;
  let installed: string;
  let entries: string[];

  before(async () => {
    await requireEngine();
    await stat(path.join(repoRoot, 'dist', 'cli', 'main.js')).catch(() => assert.fail('dist/ is not built: `npm run build` first (npm test does it)'));
    work = await tempDir('package');
    // --ignore-scripts: npm test has just built dist/ with the same `npm run build` that prepack runs
    // (rebuilding it here would add ~40 s of tsc to CI).
    const pack = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot);
    ok(pack, 'npm pack');
    const [packed] = JSON.parse(pack.stdout) as [{ filename: string }];
    const tarball = path.join(work, path.basename(packed.filename));
    const list = await runProgram('tar', ['-tzf', tarball], { cwd: work });
    ok(list, 'tar -tzf');
    entries = list.stdout.split('\n').filter(Boolean);
    // --ignore-scripts: the only install scripts among drill's dependencies are optional native builds
    // (ssh2's crypto binding, cpu-features) and a notice of protobufjs; drill runs without them, and the
    // builds need node-gyp and Node's headers.
    installDir = path.join(work, 'user');
    ok(await npm(['install', '--prefix', installDir, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball], work, 300_000), 'npm install');
    installed = path.join(installDir, 'node_modules', pkg.name);
  });

  // The reports stay for a look after a failure, as every integration test's do; the tarball and the
  // installed tree (~50 MB) go.
  after(async () => {
    if (!work) return;
    for (const entry of await readdir(work)) if (entry !== 'reports') await rm(path.join(work, entry), { recursive: true, force: true });
  });

  it('holds what a run needs, and no tests, benches, sources or CI files', () => {
    const need = [
      'package.json',
      'bin/drill.js',
      'dist/cli/main.js',
      'dist/index.js',
      'drills/redis-sentinel-kill-master.yaml',
      'drill.schema.json',
      'images/base.json',
      'images/app/Dockerfile',
      'fixtures/app/server.js',
      'fixtures/app/package-lock.json',
      'fixtures/app/node_modules/.package-lock.json',
      'fixtures/app/node_modules/ioredis/package.json',
      'docker-compose.yml',
      'docs/drill-file.md',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
    ];
    for (const file of need) assert.ok(entries.includes(`package/${file}`), `${file} is not in the tarball`);
    const unwanted = entries.filter((e) => /^package\/(test|bench|src|scripts|\.ci|\.github|reports|test-results)\//.test(e) || e.endsWith('.map'));
    assert.deepEqual(unwanted, []);
  });

  it('drill --help lists the commands', async () => {
    const help = await drill(['--help'], installDir);
    ok(help, 'drill --help');
    for (const command of ['run', 'validate', 'cleanup', 'images', 'report', 'calibrate', 'schedule']) assert.match(help.stdout, new RegExp(`^\\s+drill ${command}\\b`, 'm'));
  });

  it('drill validate accepts every shipped drill', async () => {
    const files = (await readdir(path.join(installed, 'drills'))).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.includes('redis-sentinel-kill-master.yaml'));
    ok(await drill(['validate', ...files.map((f) => path.join(installed, 'drills', f))], installDir), 'drill validate');
  });

  it('finds the images its clone built: the same recipe hashes', async () => {
    const images = await drill(['images', '--json'], installDir);
    ok(images, 'drill images');
    const tags = (JSON.parse(images.stdout) as { tag: string }[]).map((i) => i.tag);
    assert.deepEqual(
      tags,
      Object.values(await imageRefs()).map((r) => r.tag),
    );
  });

  it('drill run of the reference drill passes and writes its report', async () => {
    const out = path.join(work, 'reports');
    const run = await drill(['run', `node_modules/${pkg.name}/drills/redis-sentinel-kill-master.yaml`, '--out', out, '--json'], installDir, 240_000);
    ok(run, 'drill run');
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { runId: string; verdict: string; reportPath: string };
    assert.equal(summary.verdict, 'pass');
    assert.ok(summary.reportPath.startsWith(out), `report at ${summary.reportPath}, not under ${out}`);
    assert.ok((await stat(summary.reportPath)).size > 0);
    assert.ok(summary.runId);
    assert.deepEqual(await leftovers(summary.runId), []);
  });
});
