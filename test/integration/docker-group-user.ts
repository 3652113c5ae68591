import { execFileSync } from 'node:child_process';

// Who runs drill in the tests of the non-root path: the caller when not root, else a system user made for
// it whose only privilege is the docker group (no home, no login shell, no sudo).

export const DOCKER_GROUP_USER = 'drill-nonroot';

/** The command prefix that runs Node.js as that user (nothing when the caller is not root). */
export function asDockerGroupUser(): { command: string; prefix: string[] } {
  if (process.getuid?.() !== 0) return { command: process.execPath, prefix: [] };
  const exists = (() => {
    try {
      execFileSync('id', [DOCKER_GROUP_USER], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!exists) execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--groups', 'docker', DOCKER_GROUP_USER]);
  else execFileSync('usermod', ['--append', '--groups', 'docker', DOCKER_GROUP_USER]);
  return { command: 'runuser', prefix: ['-u', DOCKER_GROUP_USER, '--', process.execPath] };
}

/** The uid drill runs as in these tests. */
export function dockerGroupUid(): number {
  return process.getuid?.() === 0 ? Number(execFileSync('id', ['-u', DOCKER_GROUP_USER]).toString().trim()) : process.getuid!();
}
