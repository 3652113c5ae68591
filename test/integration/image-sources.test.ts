import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chooseBaseSource, imageSources, LABEL_IMAGE_SOURCE } from '../../src/engine/image-source.js';
import { buildBase, imageRefs } from '../../src/engine/images.js';
import { createLogger } from '../../src/util/log.js';
import { docker, requireEngine, runCli, runProgram, repoRoot } from './helpers.js';

// Where drill's images come from (docs/images.md). No registry answers here, so the registry way is
// tried FROM a stand-in of Debian's official image: drill's own base with the packages of images/base.json
// purged and their users deleted, so the recipe (images/base/Dockerfile) must install them all again from
// the Debian mirror, as it does FROM debian:bookworm-slim on a host whose engine reaches Docker Hub.

const log = createLogger({ level: 'silent' });
const PACKAGES_GONE = 'redis-server redis-sentinel redis-tools mariadb-server mariadb-client nodejs iptables iproute2 netcat-openbsd';

async function removeImage(tag: string): Promise<void> {
  await docker
    .getImage(tag)
    .remove({ force: true })
    .catch(() => {});
}

/** Run a command in a throw-away container of the image; its output. */
async function inImage(image: string, script: string): Promise<{ code: number | null; out: string }> {
  const run = await runProgram('docker', ['run', '--rm', '--network', 'none', image, 'sh', '-c', script], { cwd: repoRoot, timeoutMs: 60_000 });
  return { code: run.code, out: run.stdout + run.stderr };
}

describe('image sources', () => {
  let baseTag: string;
  const standIn = `drill-test/debian-stand-in:${process.pid}`;
  const built = `drill-test/base-from-registry:${process.pid}`;

  before(async () => {
    await requireEngine();
    baseTag = (await imageRefs()).base.tag;
  });

  after(async () => {
    await removeImage(built);
    await removeImage(standIn);
  });

  it('`drill images` names how each of drill images was built', async () => {
    const run = await runCli(['images']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(/\s+/)[1]),
      ['base', 'redis', 'mariadb', 'postgres', 'monitoring', 'lb', 'patroni', 'app'],
    );
    // Built by scripts/setup: debootstrap from the host's Debian mirror where no registry answers (here),
    // else FROM the pinned Debian image; all seven the same way (they are built FROM the base).
    for (const line of lines) assert.match(line, /^ok\s+\S+\s+drill\/\S+\s+(debootstrap http:\/\/\S+|registry \S+)$/, line);
    const json = JSON.parse((await runCli(['images', '--json'])).stdout) as { name: string; source: string | null }[];
    assert.equal(new Set(json.map((i) => i.source)).size, 1, JSON.stringify(json));
  });

  it('builds the base FROM a Debian image where the engine has one, with every package of the recipe', { timeout: 600_000 }, async () => {
    // The stand-in: no package of the recipe left, nor their system users.
    const container = await docker.createContainer({
      Image: baseTag,
      Cmd: ['sh', '-c', `apt-get purge -y -qq ${PACKAGES_GONE} >/dev/null && apt-get autoremove -y -qq --purge >/dev/null && (userdel redis; userdel mysql; true)`],
      Labels: { 'drill.test': 'image-sources' },
    });
    try {
      await container.start();
      assert.equal((await container.wait()).StatusCode, 0, 'purging the stand-in failed');
      await container.commit({ repo: standIn.split(':')[0], tag: standIn.split(':')[1] });
    } finally {
      await container.remove({ force: true });
    }
    const stripped = await inImage(standIn, 'command -v redis-server mariadbd node iptables ip nc; id redis; id mysql; true');
    assert.equal(stripped.out.match(/\//g)?.length ?? 0, 0, `the stand-in still has the packages:\n${stripped.out}`);

    const source = await chooseBaseSource(docker, 'registry', log, { DRILL_BASE_IMAGE: standIn });
    assert.deepEqual(source, { kind: 'registry', image: standIn, mirror: undefined });
    const ref = { name: 'base' as const, tag: built, recipeHash: 'test' };
    await buildBase(docker, log, ref, source);

    const image = await docker.getImage(built).inspect();
    assert.equal(image.Config.Labels[LABEL_IMAGE_SOURCE], `registry ${standIn}`);
    const check = await inImage(
      built,
      'set -e; redis-server --version; redis-sentinel --version; redis-cli --version; mariadbd --version; mariadb --version; node --version; iptables --version; ip -V; nc -h 2>&1 | head -1; id redis; id mysql; test ! -e /usr/sbin/policy-rc.d',
    );
    assert.equal(check.code, 0, check.out);
    for (const expected of [/Redis server v=7\.0\./, /mariadbd\s+Ver 10\.11\./, /^v18\./m, /iptables v1\.8/, /uid=\d+\(redis\)/, /uid=\d+\(mysql\)/]) assert.match(check.out, expected);
  });

  it('says why when the registry way cannot have its image, and auto falls back to debootstrap', async () => {
    const absent = 'drill-test/no-such-image:never';
    await assert.rejects(chooseBaseSource(docker, 'registry', log, { DRILL_BASE_IMAGE: absent }), (error: Error) => {
      assert.match(error.message, new RegExp(`^the engine cannot get ${absent}: .+`));
      return true;
    });
    // auto: debootstrap where it is installed (scripts/setup installs it where no registry answers), else a
    // clear error naming both ways.
    const hasDebootstrap = (await runProgram('sh', ['-c', 'command -v debootstrap'], { cwd: repoRoot })).code === 0;
    const auto = chooseBaseSource(docker, 'auto', log, { DRILL_BASE_IMAGE: absent });
    if (hasDebootstrap) assert.equal((await auto).kind, 'debootstrap');
    else await assert.rejects(auto, /no way to build drill's base image: the engine cannot get drill-test\/no-such-image:never \(.+\) and debootstrap is not installed/);
  });

  it('a misspelt DRILL_IMAGE_SOURCE or DRILL_SERVER_IMAGES is a usage error (exit 2)', async () => {
    const source = await runCli(['images'], { env: { DRILL_IMAGE_SOURCE: 'regsitry' } });
    assert.equal(source.code, 2, source.stderr);
    assert.match(source.stderr, /DRILL_IMAGE_SOURCE=regsitry is not one of auto, registry, debootstrap/);
    const servers = await runCli(['run', '--dry-run', 'drills/redis-sentinel-kill-master.yaml'], { env: { DRILL_SERVER_IMAGES: 'oficial' } });
    assert.equal(servers.code, 2, servers.stderr);
    assert.match(servers.stderr, /DRILL_SERVER_IMAGES=oficial is not one of drill, official/);
  });

  it('DRILL_SERVER_IMAGES=official runs the servers from the pinned official image: planned, listed, pulled or refused clearly', { timeout: 300_000 }, async () => {
    const { servers } = await imageSources();
    const plan = await runCli(['run', '--dry-run', 'drills/mysql-kill-primary.yaml'], { env: { DRILL_SERVER_IMAGES: 'official' } });
    assert.equal(plan.code, 0, plan.stderr);
    assert.ok(plan.stdout.includes(servers.mysql), plan.stdout);
    const listed = await runCli(['images'], { env: { DRILL_SERVER_IMAGES: 'official' } });
    assert.match(listed.stdout, new RegExp(`official redis\\s+${servers.redis.replace(/\./g, '\\.')}`));
    assert.match(listed.stdout, new RegExp(`official mysql\\s+${servers.mysql.replace(/\./g, '\\.')}`));
    // Where a registry answers the image is pulled and the drill runs on it; where none does (here) the run
    // stops before anything starts, naming the image and the engine's reason.
    const run = await runCli(['run', 'drills/redis-sentinel-kill-master.yaml', '--out', `/tmp/drill-test-official-${process.pid}`], { env: { DRILL_SERVER_IMAGES: 'official' }, timeoutMs: 240_000 });
    const pulled = await docker
      .getImage(servers.redis)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (pulled) assert.equal(run.code, 0, run.stderr.slice(-3000));
    else {
      assert.equal(run.code, 3, run.stderr.slice(-3000));
      assert.match(run.stderr, new RegExp(`image ${servers.redis.replace(/\./g, '\\.')} is not on the engine and could not be pulled: .+`));
    }
  });
});
