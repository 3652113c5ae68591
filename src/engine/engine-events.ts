import { onJsonLines } from '../util/json-lines.js';
import type { Docker } from './docker-client.js';

// The engine's own record of what happened to containers (Docker's event stream: kill, die, pause,
// unpause, stop, start, with nanosecond times on the engine host's clock). A container fault's instant is
// known only to lie inside the engine call that made it; the engine logs its event as soon as it has
// acted (the signal sent, the cgroup frozen), well before the call returns (a kill call waits for the
// exit), so the event bounds the instant tightly. Measured here: docker kill call 172–181 ms, its
// `kill` event 31–38 ms after the call started; docker pause call 33 ms, `pause` event at 28–29 ms.
// How long before its event the engine may have acted: faults/container/engine-event-lag.ts.

export interface EngineEvent {
  containerId: string;
  /** kill, die, pause, unpause, stop, start, restart, ... */
  action: string;
  /** On the engine host's clock (epoch ms with sub-ms digits). */
  epochMs: number;
  attributes: Record<string, string>;
}

export interface EngineEventLog {
  /** The first event of `containerId` with one of `actions` at or after `sinceEpochMs`, waiting for it up to `timeoutMs`; null if none came. */
  waitFor(containerId: string, actions: readonly string[], sinceEpochMs: number, timeoutMs: number): Promise<EngineEvent | null>;
  stop(): void;
}

/** Events are kept this long (a fault's event arrives within milliseconds of the call). */
const KEEP_MS = 120_000;

interface RawEvent {
  Type?: string;
  Action?: string;
  id?: string;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Follow the engine's container events from now on. */
export async function watchEngineEvents(docker: Docker): Promise<EngineEventLog> {
  const stream = (await docker.getEvents({ filters: JSON.stringify({ type: ['container'] }) })) as NodeJS.ReadableStream & { destroy?: () => void };
  const events: EngineEvent[] = [];
  const waiters = new Set<() => void>();
  onJsonLines(
    stream,
    (value) => {
      const raw = value as RawEvent;
      const id = raw.Actor?.ID ?? raw.id;
      if (!id || !raw.Action || typeof raw.timeNano !== 'number') return;
      // "exec_start: sh -c ..." and the like carry a suffix; the action is the first word.
      events.push({ containerId: id, action: raw.Action.split(':')[0]!, epochMs: raw.timeNano / 1e6, attributes: raw.Actor?.Attributes ?? {} });
    },
    () => {
      const horizon = Date.now() - KEEP_MS;
      while (events.length > 0 && events[0]!.epochMs < horizon) events.shift();
      for (const wake of [...waiters]) wake();
    },
  );
  stream.on('error', () => {});
  const find = (id: string, actions: readonly string[], since: number) => events.find((e) => e.containerId === id && actions.includes(e.action) && e.epochMs >= since) ?? null;
  return {
    waitFor(containerId, actions, sinceEpochMs, timeoutMs) {
      const found = find(containerId, actions, sinceEpochMs);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => {
        const done = (event: EngineEvent | null) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(event);
        };
        const check = () => {
          const event = find(containerId, actions, sinceEpochMs);
          if (event) done(event);
        };
        const timer = setTimeout(() => {
          done(null);
        }, timeoutMs);
        waiters.add(check);
      });
    },
    stop() {
      stream.destroy?.();
      for (const wake of [...waiters]) wake();
    },
  };
}
