import { isIP } from 'node:net';
import Dockerode from 'dockerode';
import { InfraError, errorMessage } from '../util/errors.js';

// One engine connection per process. dockerode reads DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY
// and DOCKER_CERT_PATH, ssh://) itself when given no options, which is exactly the Docker CLI's behaviour.
export type Docker = Dockerode;

export function createDocker(): Docker {
  return new Dockerode();
}

export function engineAddress(): string {
  return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** Where the engine is, from DOCKER_HOST (the variable dockerode and the Docker CLI read). */
export interface EngineLocation {
  /** unix / npipe: this machine; tcp (http/https with TLS variables); ssh (`docker system dial-stdio` over SSH). */
  transport: 'unix' | 'npipe' | 'tcp' | 'ssh';
  /** The engine's host name or address ('' for a local socket). */
  host: string;
  /** True when the engine runs on this machine (a socket, or tcp/ssh to a loopback address). */
  local: boolean;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

export function engineLocation(dockerHost: string | undefined = process.env.DOCKER_HOST): EngineLocation {
  if (!dockerHost || dockerHost.startsWith('unix://')) return { transport: 'unix', host: '', local: true };
  if (dockerHost.startsWith('npipe://')) return { transport: 'npipe', host: '', local: true };
  let url: URL;
  try {
    // docker-modem reads "host:port" without a scheme as tcp://host:port; so does this.
    url = new URL(dockerHost.includes('//') ? dockerHost : `tcp://${dockerHost}`);
  } catch {
    throw new InfraError(`DOCKER_HOST=${dockerHost} is not an engine address`, 'use unix:///path/docker.sock, tcp://HOST:PORT (DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for TLS) or ssh://USER@HOST');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { transport: url.protocol === 'ssh:' ? 'ssh' : 'tcp', host, local: LOOPBACK.test(host) };
}

/**
 * The address the runner reaches the engine's published ports on: 127.0.0.1 for a local engine, the
 * engine's host for tcp:// and ssh:// (ports are published on that machine, not on this one).
 * DRILL_ENGINE_HOST overrides it (e.g. an SSH tunnel or a NAT address).
 */
export function engineHostAddress(): string {
  const override = process.env.DRILL_ENGINE_HOST?.trim();
  if (override) return override;
  const where = engineLocation();
  return where.local ? '127.0.0.1' : where.host;
}

/**
 * The host IP drill's containers publish their ports on. A local engine: 127.0.0.1 only, nothing else can
 * reach them. A remote engine: its own address when DOCKER_HOST names it by IP, otherwise every interface
 * of that machine (0.0.0.0: reachable by whoever reaches that host, so firewall it or set
 * DRILL_PUBLISH_IP to the one address the runner comes from the engine's side).
 */
export function publishHostIp(): string {
  const override = process.env.DRILL_PUBLISH_IP?.trim();
  if (override) return override;
  const where = engineLocation();
  if (where.local) return '127.0.0.1';
  return isIP(where.host) ? where.host : '0.0.0.0';
}

/** One line for logs and reports: which engine ran the drill (no credentials: user names are dropped). */
export function engineDescription(): string {
  const raw = engineAddress();
  return raw.replace(/\/\/[^@/]*@/, '//');
}

/** Preflight: the engine answers, or a clear error that says how to get one. */
export async function checkEngine(docker: Docker): Promise<{ version: string; os: string }> {
  try {
    await docker.ping();
    const version = await docker.version();
    return { version: version.Version, os: `${version.Os}/${version.Arch}` };
  } catch (error) {
    throw new InfraError(
      `no Docker engine answers at ${engineAddress()} (${errorMessage(error)})`,
      'start one: `bash scripts/setup` installs Debian docker.io and starts dockerd; or point DOCKER_HOST at a running engine',
    );
  }
}

/** One ping with a short deadline: is the engine still there? */
export async function engineAnswers(docker: Docker, timeoutMs = 3000): Promise<boolean> {
  const timeout = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
  return Promise.race([
    docker.ping().then(
      () => true,
      () => false,
    ),
    timeout,
  ]);
}

/** Docker answers 404 for a container or network that is already gone, 304 for one already stopped. */
export function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: number } | null)?.statusCode;
  return status === 404 || status === 304 || (status === 409 && /removal .* already in progress/i.test(errorMessage(error)));
}
