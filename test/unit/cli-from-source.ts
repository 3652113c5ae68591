import { spawn } from 'node:child_process';
import { join } from 'node:path';

// The CLI run from its TypeScript sources (tsx on src/cli/main.ts), no build needed: for command-line
// tests that need no engine. Colours off; the caller picks the working directory and adds variables or
// extra `--import` hooks (e.g. one that makes the engine client unloadable).

export const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function drillFromSource(cwd: string, args: readonly string[], opts: { env?: Record<string, string>; imports?: readonly string[]; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const hooks = [TSX, ...(opts.imports ?? [])].flatMap((h) => ['--import', h]);
    const child = spawn(process.execPath, [...hooks, MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
