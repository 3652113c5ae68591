import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent, EngineEventLog } from '../../src/engine/engine-events.js';
import type { RunningContainer } from '../../src/engine/resources.js';
import { stopSignalOf, type DirectSignaller } from '../../src/faults/container/host-signal.js';
import { signalOnHost } from '../../src/faults/container/signal-on-host.js';
import type { FaultContext } from '../../src/faults/plugin.js';
import type { TimelineEvent } from '../../src/measure/types.js';
import type { RunClock } from '../../src/util/clock.js';
import { createLogger } from '../../src/util/log.js';

// A kill, stop or restart signalled by drill on the host (src/faults/container/signal-on-host.ts): the
// instant is the clock around the signal; a stop whose grace runs out is SIGKILLed, as `docker stop` does.
// Fakes only: the process, the engine's events and its inspect.

const container = { id: 'c1', name: 'drill-x-lb-1', node: 'lb-1' } as RunningContainer;

/** A process that exits on the signals in `exitsOn`; the engine logs `die` for it. */
function fakeWorld(exitsOn: NodeJS.Signals[]) {
  let now = 1000;
  const EPOCH = 1e12;
  const clock: RunClock = { nowMs: () => (now += 0.25), setOriginNow: () => {}, toEpochMs: (ms) => ms + EPOCH, fromEpochMs: (e) => e - EPOCH };
  const sent: NodeJS.Signals[] = [];
  let diedAtEpochMs: number | null = null;
  const direct: DirectSignaller = {
    pid: 4242,
    stopSignal: 'SIGTERM',
    send: (signal) => {
      sent.push(signal);
      if (exitsOn.includes(signal) && diedAtEpochMs === null) diedAtEpochMs = clock.toEpochMs(now + 3);
    },
  };
  const waits: number[] = [];
  const engineEvents: EngineEventLog = {
    waitFor: (id, actions, sinceEpochMs, timeoutMs) => {
      waits.push(timeoutMs);
      const event: EngineEvent | null =
        diedAtEpochMs !== null && id === container.id && actions.includes('die') && diedAtEpochMs >= sinceEpochMs ? { containerId: id, action: 'die', epochMs: diedAtEpochMs, attributes: {} } : null;
      return Promise.resolve(event);
    },
    stop: () => {},
  };
  const docker = { getContainer: () => ({ inspect: () => Promise.resolve({ State: { Running: diedAtEpochMs === null, FinishedAt: '0001-01-01T00:00:00Z' } }) }) };
  const notes: TimelineEvent[] = [];
  const ctx = { clock, docker, engineEvents, log: createLogger({ level: 'silent', pretty: false }), note: (e: TimelineEvent) => notes.push(e) } as unknown as FaultContext;
  return { ctx, direct, sent, waits, notes };
}

describe('a container fault signalled by drill on the host', () => {
  it('a stop: the stop signal, the instant between two clock readings, and no SIGKILL when the process exits in its grace', async () => {
    const w = fakeWorld(['SIGTERM']);
    const fault = await signalOnHost(w.ctx, { fault: 'stop', target: 'active-lb' }, container, w.direct, 'SIGTERM', { waitMs: 2000, then: 'kill' }, undefined);
    assert.deepEqual(w.sent, ['SIGTERM']);
    const r = fault!.record;
    assert.equal(r.effectFromMs, r.injectedAtMs);
    assert.equal(r.effectByMs, r.injectReturnedAtMs);
    assert.ok(r.injectReturnedAtMs - r.injectedAtMs < 1);
    assert.match(r.effectEvidence ?? '', /SIGTERM sent by drill to the container's main process \(host pid 4242\)/);
    assert.deepEqual(w.waits, [2000]);
  });

  it('a stop whose grace runs out: SIGKILL after it, noted on the timeline, and the fault instant is still the stop signal', async () => {
    const w = fakeWorld(['SIGKILL']);
    const fault = await signalOnHost(w.ctx, { fault: 'stop', target: 'active-lb' }, container, w.direct, 'SIGTERM', { waitMs: 2000, then: 'kill' }, undefined);
    assert.deepEqual(w.sent, ['SIGTERM', 'SIGKILL']);
    assert.ok(w.notes.some((n) => /still running after 2000 ms: SIGKILL sent by drill/.test(n.message)));
    assert.match(fault!.record.effectEvidence ?? '', /^SIGTERM sent/);
  });

  it('a kill that does not end the process fails the step instead of reporting a fault that did not happen', async () => {
    const w = fakeWorld([]);
    await assert.rejects(
      signalOnHost(w.ctx, { fault: 'kill', target: 'primary' }, container, w.direct, 'SIGKILL', { waitMs: 10_000, then: 'fail' }, undefined),
      /kill drill-x-lb-1: still running 10000 ms after SIGKILL/,
    );
  });

  it("takes the image's stop signal as `docker stop` does, by name or number; SIGTERM when unset; null when unknown", () => {
    assert.equal(stopSignalOf(undefined), 'SIGTERM');
    assert.equal(stopSignalOf('SIGQUIT'), 'SIGQUIT');
    assert.equal(stopSignalOf('quit'), 'SIGQUIT');
    assert.equal(stopSignalOf('3'), 'SIGQUIT');
    assert.equal(stopSignalOf('SIGNOPE'), null);
  });
});
