import { spawn } from 'node:child_process';
import { join } from 'node:path';

// The CLI run from its TypeScript sources (tsx on src/cli/main.ts), no build needed: for command-line
// tests that need no engine. Colours off; the caller picks the working directory and adds variables or
// extra `--import` hooks (e.g. one that makes the engine client unloadable); `yargsOnly` turns the fast
// path off, `replaceEnv` passes only the given variables (and NO_COLOR).

export const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
/** The same CLI with its fast path off (yargs parses every argument list). */
const YARGS_ONLY_MAIN = join(ROOT, 'test', 'fixtures', 'cli-yargs-only', 'main.ts');
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function drillFromSource(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; imports?: readonly string[]; timeoutMs?: number; yargsOnly?: boolean; replaceEnv?: boolean } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const hooks = [TSX, ...(opts.imports ?? [])].flatMap((h) => ['--import', h]);
    const env = opts.replaceEnv ? { NO_COLOR: '1', ...opts.env } : { ...process.env, NO_COLOR: '1', ...opts.env };
    const child = spawn(process.execPath, [...hooks, opts.yargsOnly ? YARGS_ONLY_MAIN : MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
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
