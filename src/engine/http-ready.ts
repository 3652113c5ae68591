import http from 'node:http';
import { waitUntil } from '../util/wait.js';

/** One GET with a short timeout; true on 2xx. Used for readiness only, never for load. */
export function httpOk(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      resolve(false);
    });
  });
}

/** Polls every 50 ms: an app coming up answers within a few polls of listening. */
export function waitForHttpOk(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return waitUntil(`${url} to answer 200`, timeoutMs, signal, () => httpOk(url), 50);
}
