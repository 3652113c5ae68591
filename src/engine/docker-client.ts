import { isIP } from 'node:net';
import Dockerode from 'dockerode';
import { InfraError, errorMessage } from '../util/errors.js';
import { engineAddress, engineLocation } from './engine-address.js';

export { engineAddress, engineDescription, engineLocation, type EngineLocation } from './engine-address.js';

// One engine connection per process. dockerode reads DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY
// and DOCKER_CERT_PATH, ssh://) itself when given no options, which is exactly the Docker CLI's behaviour.
export type Docker = Dockerode;

export function createDocker(): Docker {
  return new Dockerode();
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
