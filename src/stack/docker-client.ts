import Dockerode from 'dockerode';
import { InfraError, errorMessage } from '../util/errors.js';

// One engine connection per process. dockerode reads DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY
// and DOCKER_CERT_PATH, ssh://) itself when given no options, which is exactly the Docker CLI's behaviour.
export type Docker = Dockerode;

export function createDocker(): Docker {
  return new Dockerode();
}

export function engineAddress(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
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
  return Promise.race([docker.ping().then(() => true, () => false), timeout]);
}

/** Docker answers 404 for a container or network that is already gone, 304 for one already stopped. */
export function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: number } | null)?.statusCode;
  return status === 404 || status === 304 || status === 409 && /removal .* already in progress/i.test(errorMessage(error));
}
