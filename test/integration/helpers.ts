import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
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

export interface RunOptions {
  onStderr?: (chunk: string, child: ReturnType<typeof spawn>) => void;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliRun> {
  return runProgram(process.execPath, [path.join(repoRoot, 'bin', 'drill.js'), ...args], { ...opts, cwd: repoRoot, env: { DRILL_LOG_LEVEL: 'info', ...opts.env } });
}

/** Run a program to its end (killed after timeoutMs); `env` is added to this process's environment. */
export function runProgram(command: string, args: string[], opts: RunOptions & { cwd: string; baseEnv?: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...(opts.baseEnv ?? process.env), ...opts.env },
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
      reject(new Error(`${path.basename(command)} ${args.join(' ')} did not finish in ${opts.timeoutMs} ms\n${stderr.slice(-3000)}`));
    }, opts.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const madeDirs: string[] = [];
// A test file's output directories go when its process ends with every test passed; kept after a failure
// (they hold the failing run's result.json, logs and report) or with DRILL_TEST_KEEP_OUT=1.
process.on('exit', (code) => {
  if (code !== 0 || process.env.DRILL_TEST_KEEP_OUT === '1') return;
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `drill-test-${prefix}-`));
  madeDirs.push(dir);
  return dir;
}

/** Every container and network that carries the run's label. */
export async function leftovers(runId?: string): Promise<string[]> {
  const filters = { label: [runId ? `drill.run-id=${runId}` : 'drill.run-id'] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`)];
}

/** Run a shipped drill through the CLI with --json; return the exit code and its result.json. */
export async function runDrillFile(
  file: string,
  extraArgs: string[] = [],
): Promise<{ code: number | null; result: import('../../src/report/result.js').ResultJson; resultPath: string; stderr: string }> {
  const { readFile } = await import('node:fs/promises');
  const out = await tempDir(path.basename(file, '.yaml'));
  const run = await runCli(['run', file, '--out', out, '--json', ...extraArgs], { timeoutMs: 300_000 });
  const line = run.stdout.trim().split('\n').pop();
  if (!line) throw new Error(`drill run ${file}: no JSON summary on stdout (exit ${run.code}); stderr:\n${run.stderr.slice(-4000)}`);
  const summary = JSON.parse(line) as { resultPath: string };
  return { code: run.code, result: JSON.parse(await readFile(summary.resultPath, 'utf8')), resultPath: summary.resultPath, stderr: run.stderr };
}

/** Remove what a --keep-stack run left, by its run's label only (never `drill cleanup`: other runs may share this engine). */
export async function removeKeptRun(runId: string): Promise<void> {
  const filters = { label: [`drill.run-id=${runId}`] };
  // A container the run destroyed may still be on its way out on a busy engine (409 "removal … already in
  // progress", or 404 once gone): wait for it rather than fail.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const containers = await docker.listContainers({ all: true, filters });
    if (containers.length === 0) break;
    for (const c of containers)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch((error: unknown) => {
          const code = (error as { statusCode?: number }).statusCode;
          if (code !== 404 && !(code === 409 && /in progress/.test(String(error)))) throw error;
        });
    if (Date.now() > deadline) throw new Error(`containers of run ${runId} still there after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const n of await docker.listNetworks({ filters }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch((error: unknown) => {
        // Another run's preflight may sweep a kept stack whose runner has exited, at the same time.
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      });
}
