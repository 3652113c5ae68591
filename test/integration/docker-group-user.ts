import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResultJson } from '../../src/report/result.js';
import { repoRoot, runProgram, tempDir } from './helpers.js';

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

/** `drill run <file> --json` as that user, reports in a fresh folder it may write: the exit, stderr, result.json and that folder. */
export async function runDrillAsDockerGroupUser(file: string, tag: string): Promise<{ code: number | null; stderr: string; result: ResultJson; out: string }> {
  const out = await tempDir(tag);
  await chmod(out, 0o777);
  const { command, prefix } = asDockerGroupUser();
  const run = await runProgram(command, [...prefix, path.join(repoRoot, 'bin', 'drill.js'), 'run', file, '--out', path.join(out, 'reports'), '--json'], {
    cwd: repoRoot,
    timeoutMs: 240_000,
    // HOME for a user without one: nothing drill writes goes there, but Node and npm look.
    env: { DRILL_LOG_LEVEL: 'info', HOME: out },
  });
  const line = run.stdout.trim().split('\n').pop();
  assert.ok(line, `no JSON summary (exit ${run.code}); stderr:\n${run.stderr.slice(-3000)}`);
  const result = JSON.parse(await readFile((JSON.parse(line) as { resultPath: string }).resultPath, 'utf8')) as ResultJson;
  return { code: run.code, stderr: run.stderr, result, out };
}
