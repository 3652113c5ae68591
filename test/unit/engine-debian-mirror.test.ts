import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEBIAN_REDIRECTOR, debianMirror } from '../../src/engine/debian-mirror.js';

// Which Debian mirror debootstrap gets, from the host's own files: a Debian host's apt sources, Debian's
// redirector on another distribution (an Ubuntu CI runner's apt sources hold no Debian), or the variable.

async function host(files: { sources?: string; list?: string; osRelease: string }, env: NodeJS.ProcessEnv = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'drill-mirror-'));
  await mkdir(join(dir, 'sources.list.d'));
  if (files.sources) await writeFile(join(dir, 'sources.list.d', 'main.sources'), files.sources);
  if (files.list) await writeFile(join(dir, 'sources.list'), files.list);
  await writeFile(join(dir, 'os-release'), files.osRelease);
  return { env, sourcesDir: join(dir, 'sources.list.d'), sourcesList: join(dir, 'sources.list'), osRelease: join(dir, 'os-release') };
}

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'PRETTY_NAME="Ubuntu 24.04 LTS"\nID=ubuntu\nID_LIKE=debian\n';

describe('debianMirror', () => {
  it('a Debian host: its own bookworm mirror (deb822 first, then sources.list), never the security archive', async () => {
    const deb822 = 'Types: deb\nURIs: http://security.debian.org/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n';
    assert.equal(await debianMirror(await host({ sources: deb822, osRelease: DEBIAN })), 'http://mirror.example/debian');
    assert.equal(await debianMirror(await host({ list: 'deb [arch=amd64] http://ftp.example/debian bookworm main\n', osRelease: DEBIAN })), 'http://ftp.example/debian');
  });

  it("an Ubuntu host (a CI runner): Debian's redirector, not Ubuntu's archive", async () => {
    const ubuntu = 'Types: deb\nURIs: http://azure.archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates\n';
    assert.equal(await debianMirror(await host({ sources: ubuntu, list: 'deb http://archive.ubuntu.com/ubuntu jammy main\n', osRelease: UBUNTU })), DEBIAN_REDIRECTOR);
  });

  it('DRILL_DEBIAN_MIRROR wins everywhere', async () => {
    assert.equal(await debianMirror(await host({ osRelease: UBUNTU }, { DRILL_DEBIAN_MIRROR: 'http://local.mirror/debian' })), 'http://local.mirror/debian');
  });
});
