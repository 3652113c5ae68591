import assert from 'node:assert/strict';
import { chown, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { imageRefs } from '../../src/engine/images.js';
import { docker, leftovers, repoRoot, requireEngine, runProgram, tempDir, type CliRun } from './helpers.js';

// drill's own image (images/drill/Dockerfile, built by scripts/build-image) used as the README's "Run from
// a container" says: the host's engine through its socket, --network host (the stack's ports are published
// on the host's 127.0.0.1), a non-root user given the socket's group, the reports in a mounted folder.

const SOCKET = '/var/run/docker.sock';

// `npm test` hands its own project to the tests (npm_package_*, npm_config_local_prefix, ...): the npm
// that scripts/build-image starts must not see them.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(package_|lifecycle_|config_(local_)?prefix$)/i.test(key)));

function ok(run: CliRun, what: string): void {
  assert.equal(run.code, 0, `${what} exited ${run.code}\nstdout:\n${run.stdout.slice(-2000)}\nstderr:\n${run.stderr.slice(-4000)}`);
}

describe("drill's own container image", () => {
  let tag: string;
  let reports: string;
  /** Who runs drill in the container: the caller, or `nobody` when the tests run as root. */
  let user: { uid: number; gid: number };
  let socketGid: number;

  before(async () => {
    await requireEngine();
    await stat(path.join(repoRoot, 'dist', 'cli', 'main.js')).catch(() => assert.fail('dist/ is not built: `npm run build` first (npm test does it)'));
    socketGid = (await stat(SOCKET)).gid;
    // --ignore-scripts: npm test has just built dist/ (prepack would rebuild it: ~20 s of tsc). An image
    // whose recipe (tarball, Dockerfile, Node.js, base) is unchanged is reused.
    const build = await runProgram('bash', [path.join(repoRoot, 'scripts', 'build-image'), '--ignore-scripts'], { cwd: repoRoot, baseEnv: npmEnv, timeoutMs: 300_000 });
    ok(build, 'scripts/build-image');
    tag = build.stdout.trim().split('\n').pop()!;
    const uid = process.getuid?.() ?? 0;
    user = uid === 0 ? { uid: 65534, gid: 65534 } : { uid, gid: process.getgid?.() ?? uid };
    // The user in the container owns the reports folder, as a CI user's workspace is theirs.
    reports = path.join(await tempDir('drill-image'), 'reports');
    await mkdir(reports);
    if (uid === 0) await chown(reports, user.uid, user.gid);
  });

  /** `docker run --rm` of the image as the README's command has it; `withEngine` adds socket, network and user. */
  function dockerRun(args: string[], opts: { withEngine: boolean; timeoutMs?: number }): Promise<CliRun> {
    const engine = opts.withEngine ? ['--network', 'host', '-v', `${SOCKET}:${SOCKET}`, '--user', `${user.uid}:${user.gid}`, '--group-add', String(socketGid), '-v', `${reports}:/reports`] : [];
    return runProgram('docker', ['run', '--rm', ...engine, tag, ...args], { cwd: repoRoot, timeoutMs: opts.timeoutMs ?? 60_000 });
  }

  it('is tagged by version, labelled for `drill cleanup --images`', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
    assert.equal(tag, `${pkg.name}:${pkg.version}`);
    const image = await docker.getImage(tag).inspect();
    assert.match(image.Config.Labels['drill.image-recipe'] ?? '', /^[0-9a-f]{12}$/);
    assert.deepEqual(image.Config.Entrypoint, ['drill']);
  });

  it('docker run <image> --help exits 0', async () => {
    const help = await dockerRun(['--help'], { withEngine: false });
    ok(help, 'drill --help');
    assert.match(help.stdout, /^\s+drill run <file>/m);
  });

  it('holds the package with its production dependencies only', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    // The package's folder (the image's working directory) and every package name under its node_modules.
    const list = await runProgram(
      'docker',
      [
        'run',
        '--rm',
        '--entrypoint',
        'node',
        tag,
        '-p',
        `const fs = require('node:fs');
         const modules = fs.readdirSync('node_modules').flatMap((n) => (n.startsWith('@') ? fs.readdirSync('node_modules/' + n).map((m) => n + '/' + m) : [n]));
         JSON.stringify({ files: fs.readdirSync('.'), modules })`,
      ],
      { cwd: repoRoot, timeoutMs: 30_000 },
    );
    ok(list, 'listing the image');
    const { files, modules } = JSON.parse(list.stdout) as { files: string[]; modules: string[] };
    for (const file of ['bin', 'dist', 'drills', 'images', 'fixtures', 'package.json']) assert.ok(files.includes(file), `${file} is not in the image`);
    for (const file of ['src', 'test', 'scripts', 'bench']) assert.ok(!files.includes(file), `${file} is in the image`);
    assert.ok(modules.includes('dockerode') && modules.includes('ioredis'));
    assert.deepEqual(
      // @types/node is also a production dependency of protobufjs (dockerode's gRPC); declarations only.
      Object.keys(pkg.devDependencies).filter((dep) => !dep.startsWith('@types/') && modules.includes(dep)),
      [],
    );
  });

  it("sees the host's drill images, by the same recipe hashes", async () => {
    const images = await dockerRun(['images', '--json'], { withEngine: true });
    ok(images, 'drill images');
    const inside = JSON.parse(images.stdout) as { tag: string; present: boolean }[];
    assert.deepEqual(
      inside.map((i) => i.tag),
      Object.values(await imageRefs()).map((r) => r.tag),
    );
    assert.ok(
      inside.every((i) => i.present),
      `missing: ${inside
        .filter((i) => !i.present)
        .map((i) => i.tag)
        .join(', ')}`,
    );
  });

  it('runs a real drill to a pass, writes its reports on the host as the caller, leaves nothing behind', async () => {
    const run = await dockerRun(['run', 'drills/redis-stop-replica.yaml', '--out', '/reports', '--json'], { withEngine: true, timeoutMs: 180_000 });
    ok(run, 'drill run in the container');
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { runId: string; verdict: string; reportPath: string };
    assert.equal(summary.verdict, 'pass');
    assert.equal(summary.reportPath, `/reports/${summary.runId}/report.html`);
    const report = await stat(path.join(reports, summary.runId, 'report.html'));
    assert.ok(report.size > 0);
    assert.equal(report.uid, user.uid);
    assert.deepEqual(await leftovers(summary.runId), []);
  });
});
