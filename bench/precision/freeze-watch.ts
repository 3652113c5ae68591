import { Worker } from 'node:worker_threads';
import type Dockerode from 'dockerode';
import type { FreezeEvent, FreezerChange } from './ground-truth.js';
import { onJsonLines } from '../../src/util/json-lines.js';
import { freezerFiles, RAISE_WORKER_PRIORITY } from '../../src/faults/container/freezer-watch.js';

// The freeze and thaw of a pause as the target's own cgroup records them, followed by the benchmark itself
// (its own process and thread, not drill's) from the moment each of the drill's containers starts: the
// kernel's freezer state read every ~0.25 ms, each change stamped between the last read that showed the
// old state and the first that showed the new one. The engine's pause/unpause events are kept beside it as
// a second look (they trail the freezer: the pause event by up to ~100 ms here).
// Followed live because the engine keeps only its last few hundred events, and other drills share it.

export interface FreezeWatch {
  events(): FreezeEvent[];
  changes(): FreezerChange[];
  stop(): Promise<void>;
}

interface RawEvent {
  Action?: string;
  timeNano?: number;
  Actor?: { ID?: string };
}

// Reads every registered container's freezer state in a loop; posts each change with its bounds, on the
// host's clock (epoch ms: performance.timeOrigin + now(), the same clock the engine and the app stamp with).
// Its thread reads at drill's own watcher's nice (-15, as root): the judge must not be starved by the
// thread it judges (at nice 0 beside drill's at -15 it once left 31.7 ms of doubt against drill's ± 17.9).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
${RAISE_WORKER_PRIORITY}
const stop = new Int32Array(workerData.stop);
const gap = new Int32Array(new SharedArrayBuffer(4));
const now = () => performance.timeOrigin + performance.now();
const watched = new Map();
parentPort.on('message', (m) => watched.set(m.containerId, { file: m.file, state: null, lastStart: 0 }));
function loop() {
  for (let i = 0; i < 200 && Atomics.load(stop, 0) === 0; i++) {
    for (const [containerId, w] of watched) {
      const t0 = now();
      let state;
      try { state = readFileSync(w.file, 'utf8').trim(); } catch { watched.delete(containerId); continue; }
      const t1 = now();
      if (w.state !== null && state !== w.state) parentPort.postMessage({ containerId, from: w.state, to: state, afterEpochMs: w.lastStart, byEpochMs: t1 });
      w.state = state;
      w.lastStart = t0;
    }
    Atomics.wait(gap, 0, 0, 0.25);
  }
  // Back to the event loop now and then, so a newly started container's file arrives.
  if (Atomics.load(stop, 0) === 0) setImmediate(loop);
  else parentPort.postMessage({ done: true });
}
loop();
`;

/** Follow the freezer (and the engine's pause/unpause events) of the containers labelled `drill.drill=<drillName>`. */
export async function watchFreezes(docker: Dockerode, drillName: string): Promise<FreezeWatch> {
  const filters = JSON.stringify({ type: ['container'], event: ['start', 'pause', 'unpause'], label: [`drill.drill=${drillName}`] });
  const stream = (await docker.getEvents({ filters })) as NodeJS.ReadableStream & { destroy?: () => void };
  const stopFlag = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { stop: stopFlag } });
  const seen: FreezeEvent[] = [];
  const changes: FreezerChange[] = [];
  const done = new Promise<void>((resolve) => {
    worker.on('message', (m: FreezerChange | { done: true }) => {
      if ('done' in m) resolve();
      else changes.push(m);
    });
    worker.on('error', () => {
      resolve();
    });
    worker.on('exit', () => {
      resolve();
    });
  });
  onJsonLines(stream, (value) => {
    const raw = value as RawEvent;
    const id = raw.Actor?.ID;
    if (!raw.Action || !id || typeof raw.timeNano !== 'number') return;
    if (raw.Action === 'start') {
      void docker
        .getContainer(id)
        .inspect()
        .then((info) => freezerFiles(info.State.Pid, info.Id))
        .then((files) => {
          // cgroup v1's freezer.state (THAWED/FREEZING/FROZEN); v2's cgroup.freeze (0/1) says when the freeze
          // was asked and lifted, which is what stops and resumes the tasks.
          if (files) worker.postMessage({ containerId: id, file: files.begun.file });
        })
        .catch(() => {});
    } else {
      seen.push({ containerId: id, action: raw.Action, epochMs: raw.timeNano / 1e6 });
    }
  });
  stream.on('error', () => {});
  return {
    events: () => [...seen].sort((a, b) => a.epochMs - b.epochMs),
    changes: () => [...changes].sort((a, b) => a.byEpochMs - b.byEpochMs),
    async stop() {
      stream.destroy?.();
      Atomics.store(new Int32Array(stopFlag), 0, 1);
      await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
      await worker.terminate().catch(() => 0);
    },
  };
}
