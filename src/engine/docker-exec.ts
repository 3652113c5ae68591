import { PassThrough } from 'node:stream';
import type { Docker } from './docker-client.js';
import { InfraError, errorMessage } from '../util/errors.js';

// `docker exec` through dockerode (≈ 50 ms here): exit code checked, stderr surfaced.

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Called with each complete line of stdout as it arrives. */
  onLine?: (line: string) => void;
  /** Environment of the command (secrets go here, not on its command line: an exec's Cmd is visible to `docker inspect`). */
  env?: Record<string, string>;
}

/** Run a command in a container; the result whatever the exit code. Rejects when the engine refuses (404, 409). */
export async function exec(docker: Docker, containerId: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const handle = await docker.getContainer(containerId).exec({
    Cmd: cmd,
    ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}),
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = (await handle.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream & { destroy?: () => void };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  docker.modem.demuxStream(stream, stdout, stderr);
  let out = '';
  let err = '';
  let partial = '';
  stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    out += text;
    if (!opts.onLine) return;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) opts.onLine(line);
  });
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy?.();
      reject(new InfraError(`docker exec ${cmd.slice(0, 3).join(' ')} … did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (error: unknown) => {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new InfraError(String(error)));
    });
  });
  // The exit code can lag the end of the stream by a moment.
  for (let i = 0; ; i++) {
    const info = await handle.inspect();
    if (!info.Running && info.ExitCode !== null) return { code: info.ExitCode, stdout: out, stderr: err };
    if (i >= 50) throw new InfraError(`docker exec ${cmd[0]}: no exit code after the stream ended`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Run a command and require exit 0; InfraError with `what` and the command's stderr otherwise. */
export async function execChecked(docker: Docker, containerId: string, what: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  let result: ExecResult;
  try {
    result = await exec(docker, containerId, cmd, opts);
  } catch (error) {
    if (error instanceof InfraError) throw new InfraError(`${what}: ${error.message}`);
    throw new InfraError(`${what}: ${errorMessage(error)}`);
  }
  if (result.code !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join(' / ');
    throw new InfraError(`${what}: exit ${result.code}${detail ? `: ${detail}` : ''}`);
  }
  return result;
}

/** `sh -c script` with the arguments as $1…: no quoting of rule text or JSON needed. */
export function sh(script: string, ...args: string[]): string[] {
  return ['sh', '-c', script, 'drill', ...args];
}
