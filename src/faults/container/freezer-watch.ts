import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

// A pause's instant read off the kernel's freezer while the engine freezes the container. `docker pause`
// asks runc to freeze the container's cgroup; the engine logs its `pause` event only after runc has seen
// every task frozen, up to ~100 ms later here (engine-event-lag.ts), so the event alone leaves the instant
// anywhere from the call's start. drill, on the same host, reads the cgroup's own state in a loop while the
// call runs (a worker thread: the run's event loop, which paces the load, is not held):
//   cgroup v1  freezer.state: THAWED before the freeze began, FREEZING while tasks are being stopped,
//              FROZEN once every task is;
//   cgroup v2  cgroup.freeze: 0 until runc writes 1 (the freeze began after the last 0 read);
//              cgroup.events: "frozen 1" once every task is.
// The target stopped serving after the start of the last read that showed it not yet freezing, and by the
// end of the first read that showed it frozen. On cgroup v1, by the end of the first read after that which
// showed it FREEZING already: the kernel's write of FROZEN and its read of freezer.state both hold
// freezer_mutex (kernel/cgroup/legacy_freezer.c), so a read that no longer says THAWED ran after every task
// had been told to freeze, and a told task runs no more user code (it stops at its next return to user
// space, a running one kicked at once). Tasks blocked in the kernel may take ms more to count as frozen,
// which is when FROZEN is read (7.2 ms after the last THAWED read in one redis-pause run here). runc may
// thaw and freeze again while FREEZING lasts; a THAWED read starts the watch of the change over.
// Only on a local engine whose container pids drill sees.

/** What drill reads, for one container's cgroup (a freeze; thawWatchOf turns it round for the thaw). */
export interface FreezerFiles {
  /** Read until it shows the change begun; `notBegun` is its content before that. */
  begun: { file: string; notBegun: string };
  /** Read until it shows the change done; `frozen` is a line of its content then. */
  done: { file: string; frozen: string };
}

/**
 * The same cgroup watched for the thaw: cgroup v1's freezer.state reads FROZEN until the thaw and THAWED
 * once every task runs again; v2's cgroup.freeze reads 1 until runc writes 0, cgroup.events "frozen 0" then.
 * The target resumed after the start of the last read still showing it frozen, by the first showing it thawed.
 */
export function thawWatchOf(freeze: FreezerFiles): FreezerFiles {
  return freeze.begun.file === freeze.done.file
    ? { begun: { file: freeze.begun.file, notBegun: freeze.done.frozen }, done: { file: freeze.done.file, frozen: freeze.begun.notBegun } }
    : { begun: { file: freeze.begun.file, notBegun: '1' }, done: { file: freeze.done.file, frozen: 'frozen 0' } };
}

/** The freeze, on the process's monotonic clock (ms, process.hrtime): after `fromMonoMs`, by `byMonoMs`. */
export interface FreezeSeen {
  fromMonoMs: number;
  byMonoMs: number;
  /** What the read that ends the bound showed: the done state, or cgroup v1's FREEZING. */
  seenState: string;
  how: string;
}

/** The monotonic clock every thread of the process shares (ms). */
export const monoNowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The freezer files of the process `pid` (a container's main process), or null when there are none to read. */
export async function freezerFiles(pid: number, containerId: string): Promise<FreezerFiles | null> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')).split('\n');
  if (!lines.some((l) => l.includes(containerId))) return null;
  const v1 = lines.find((l) => /^\d+:([^:]*,)?freezer(,[^:]*)?:/.test(l));
  if (v1) {
    const file = `/sys/fs/cgroup/freezer${v1.slice(v1.indexOf(':', v1.indexOf(':') + 1) + 1)}/freezer.state`;
    return (await readable(file)) ? { begun: { file, notBegun: 'THAWED' }, done: { file, frozen: 'FROZEN' } } : null;
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (!v2) return null;
  const dir = `/sys/fs/cgroup${v2.slice(3)}`;
  if (!(await readable(`${dir}/cgroup.freeze`)) || !(await readable(`${dir}/cgroup.events`))) return null;
  return { begun: { file: `${dir}/cgroup.freeze`, notBegun: '0' }, done: { file: `${dir}/cgroup.events`, frozen: 'frozen 1' } };
}

const readable = (file: string) =>
  readFile(file, 'utf8').then(
    () => true,
    () => false,
  );

/** The watching thread's nice value (root only; elsewhere it keeps the process's). */
export const WATCH_NICE = -15;

/**
 * Worker source that sets the calling thread's nice to WATCH_NICE where allowed (root), and does nothing
 * elsewhere. Linux takes a thread id for setpriority's process id; the thread's own id is in
 * /proc/thread-self. Shared with bench/precision's truth reader, which must not be starved by this one.
 */
export const RAISE_WORKER_PRIORITY = `try {
  require('node:os').setPriority(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()), ${WATCH_NICE});
} catch {}`;

// The worker: reads both files every ~0.1 ms until the change is done (or it is told to stop, or times
// out), each read stamped before and after on the process's monotonic clock, which every thread shares.
// An armed worker first sleeps (Atomics.wait: no CPU) until it is told to go: a thread takes tens of ms
// to start, which must not delay the heal it watches.
// Its thread runs at nice -15 where drill may (root): on two busy cores a thread at the default nice was
// left off the CPU for ~19 ms between two reads at a thaw, and the instant with it (mysql-async-read-lag,
// 2026-12-07).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { begun, done, timeoutMs } = workerData;
${RAISE_WORKER_PRIORITY}
const now = () => Number(process.hrtime.bigint()) / 1e6;
const gap = new Int32Array(new SharedArrayBuffer(4));
const stop = new Int32Array(workerData.stop);
if (workerData.go) {
  const go = new Int32Array(workerData.go);
  parentPort.postMessage({ armed: true });
  while (Atomics.load(go, 0) === 0) Atomics.wait(go, 0, 0);
}
const same = begun.file === done.file;
let lastNotBegunStart = null;
let begunBy = null;
let begunState = null;
let reads = 0;
const end = now() + timeoutMs;
for (;;) {
  const t0 = now();
  const a = readFileSync(begun.file, 'utf8').trim();
  const b = same ? a : readFileSync(done.file, 'utf8');
  const t1 = now();
  reads++;
  if (a === begun.notBegun) {
    lastNotBegunStart = t0;
    begunBy = null;
  } else if (begunBy === null && lastNotBegunStart !== null) {
    begunBy = t1;
    begunState = a;
  }
  if (reads === 1) parentPort.postMessage({ ready: true });
  if (b.split('\\n').some((l) => l.trim() === done.frozen)) {
    const early = same && begunBy !== null;
    parentPort.postMessage({ fromMonoMs: lastNotBegunStart, byMonoMs: early ? begunBy : t1, seenState: early ? begunState : done.frozen, reads });
    break;
  }
  if (Atomics.load(stop, 0) === 1 || t1 > end) {
    parentPort.postMessage({ fromMonoMs: null, byMonoMs: null, reads });
    break;
  }
  Atomics.wait(gap, 0, 0, 0.1);
}
`;

/** Longer than any pause call seen here (a few hundred ms on a loaded engine). */
const WATCH_TIMEOUT_MS = 5000;

/**
 * Start reading the freezer; resolves `ready` once the first read is done (start the pause, or unpause,
 * only then, so a read before it exists). `result()` after the call: the change seen, or null (not done
 * inside the watch, no read before it began, or the worker failed): the engine's event or the call bounds it.
 */
export async function watchFreeze(files: FreezerFiles): Promise<{ result(): Promise<FreezeSeen | null> }> {
  return (await startWatch(files, false)).start();
}

/**
 * A watch started now but reading only once `start()` is called (its thread asleep until then): for a
 * heal, whose instant must not wait for a thread to start. `cancel()` if it is never needed.
 */
export async function armWatch(files: FreezerFiles): Promise<ArmedWatch> {
  return startWatch(files, true);
}

/** A watch whose thread is up; `start()` begins its reads and resolves once the first is done. */
export interface ArmedWatch {
  start(): Promise<{ result(): Promise<FreezeSeen | null> }>;
  cancel(): Promise<void>;
}

async function startWatch(files: FreezerFiles, armed: boolean): Promise<ArmedWatch> {
  const stop = new SharedArrayBuffer(4);
  const go = armed ? new SharedArrayBuffer(4) : undefined;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { begun: files.begun, done: files.done, timeoutMs: WATCH_TIMEOUT_MS, stop, go } });
  let settle: (seen: FreezeSeen | null) => void = () => {};
  const outcome = new Promise<FreezeSeen | null>((resolve) => (settle = resolve));
  let onArmed: () => void = () => {};
  const isArmed = new Promise<void>((resolve) => (onArmed = resolve));
  const ready = new Promise<void>((resolve) => {
    worker.on('message', (m: { armed?: boolean; ready?: boolean; fromMonoMs?: number | null; byMonoMs?: number | null; seenState?: string; reads?: number }) => {
      if (m.armed) {
        onArmed();
        return;
      }
      if (m.ready) {
        resolve();
        return;
      }
      const { fromMonoMs, byMonoMs } = m;
      settle(
        typeof fromMonoMs === 'number' && typeof byMonoMs === 'number'
          ? { fromMonoMs, byMonoMs, seenState: m.seenState ?? files.done.frozen, how: `the cgroup freezer, read by drill ${m.reads} times during the call` }
          : null,
      );
      resolve();
    });
    worker.on('error', () => {
      settle(null);
      onArmed();
      resolve();
    });
    worker.on('exit', () => {
      settle(null);
      onArmed();
      resolve();
    });
  });
  if (go) {
    await isArmed;
    // Asleep, it must not keep the process alive (a fault never healed, a run that ends another way).
    worker.unref();
  }
  const watching = {
    async result() {
      // The call has returned: the change is done by now, or will not be seen; the worker stops either way.
      Atomics.store(new Int32Array(stop), 0, 1);
      const seen = await outcome;
      await worker.terminate().catch(() => 0);
      return seen;
    },
  };
  return {
    async start() {
      if (go) {
        worker.ref();
        Atomics.store(new Int32Array(go), 0, 1);
        Atomics.notify(new Int32Array(go), 0);
      }
      await ready;
      return watching;
    },
    async cancel() {
      await worker.terminate().catch(() => 0);
    },
  };
}
