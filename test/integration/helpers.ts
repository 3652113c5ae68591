import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';

// Integration tests drive the real CLI (the compiled bin, as a user would) against the real engine.
// A missing engine is a failure, never a skip: `before` hooks call requireEngine().

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const docker = new Dockerode();

export async function requireEngine(): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`integration tests need a Docker engine (bash scripts/setup starts one): ${(error as Error).message}`);
  }
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { onStderr?: (chunk: string, child: ReturnType<typeof spawn>) => void; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'drill.js'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, DRILL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      opts.onStderr?.(c.toString(), child);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`drill ${args.join(' ')} did not finish in ${opts.timeoutMs} ms\n${stderr.slice(-3000)}`));
    }, opts.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `drill-test-${prefix}-`));
}

/** Every container and network that carries the run's label. */
export async function leftovers(runId?: string): Promise<string[]> {
  const filters = { label: [runId ? `drill.run-id=${runId}` : 'drill.run-id'] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`)];
}
