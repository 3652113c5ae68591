import { InfraError } from '../util/errors.js';

// Where the engine is, from DOCKER_HOST alone: no client library and no call to the engine, so that
// `drill run --dry-run` can say which engine a run would use without loading dockerode.

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

/** One line for logs and reports: which engine ran the drill (no credentials: user names are dropped). */
export function engineDescription(): string {
  const raw = engineAddress();
  return raw.replace(/\/\/[^@/]*@/, '//');
}
