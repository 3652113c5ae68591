import { Redis } from 'ioredis';
import { engineHostAddress } from '../../engine/docker-client.js';

// What every Redis stack (drill's own and a bring-your-own one) shares: the write set the fixture app
// fills, the ports, and short-lived probe connections from the runner.

/** The set the fixture app adds each acknowledged write id to (SADD). */
export const WRITES_KEY = 'drill:writes';
export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;

/** A connection through a published port. Short timeouts and no retries: these are probes, and a dead node must answer "dead" quickly. */
export function probeClient(port: number, extra: object = {}): Redis {
  const client = new Redis({
    host: engineHostAddress(),
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    ...extra,
  });
  client.on('error', () => {});
  return client;
}

/** One short-lived connection: connect, run fn, disconnect. */
export async function withProbeClient<T>(port: number, fn: (client: Redis) => Promise<T>, password?: string): Promise<T> {
  const client = probeClient(port, password ? { password } : {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

/** A field of a Sentinel reply given as a flat [key, value, key, value, ...] list. */
export function fieldOf(fields: string[], key: string): string | undefined {
  const i = fields.indexOf(key);
  return i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined;
}

/** A node provisioned for a restore starts its server only once this file exists: the AOF is in place and cut (docs/backup-restore.md). */
export const RESTORE_READY_FILE = '/data/.drill-restore-ready';
