import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError, InfraError } from './errors.js';

/** Sleep that ends early (with AbortedError) when the run is aborted. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw error;
  }
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new AbortedError(String(signal.reason ?? 'aborted'));
}

/** Poll `check` until it returns true; InfraError naming what we waited for after timeoutMs. */
export async function waitUntil(what: string, timeoutMs: number, signal: AbortSignal | undefined, check: () => Promise<boolean>, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw abortReason(signal);
    if (await check()) return;
    if (Date.now() > deadline) throw new InfraError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs, signal);
  }
}

/** `promise`'s value, or `fallback` once `ms` have passed (the promise is left to settle on its own): for paths that must end. */
export function withinMs<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      resolve(fallback);
    }, ms);
    timer.unref();
  });
  return Promise.race([promise.catch(() => fallback), timeout]).finally(() => {
    clearTimeout(timer);
  });
}
