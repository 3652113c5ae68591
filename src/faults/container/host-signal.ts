import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { RunningContainer } from '../../engine/resources.js';
import type { FaultContext } from '../plugin.js';

// A kill's instant, known to a few microseconds: drill signals the container's main process itself, with
// kill(2) on the host, between two readings of the run clock, instead of asking the engine (whose `kill`
// event trails the signal by up to 55 ms here: engine-event-lag.ts). It is the same act as `docker kill`:
// runc also sends the signal from the host to the container's init, which the kernel delivers forcibly
// for SIGKILL and only to a handler otherwise (pid_namespaces(7)); when init dies the kernel kills the
// rest of the container. Only where it is certainly the same process and the same outcome:
//   - a local engine (the event stream is followed: the engine shares this host's clock and processes);
//   - the engine's pid of the container is a process drill sees whose cgroup names the container id
//     (drill inside a container with the engine's socket sees other pids: not the same process);
//   - the container has no restart policy (every container drill creates): the engine treats an exit it
//     did not cause as a crash, and a policy would start it again where `docker kill` would not;
//   - drill may signal it (root, as CI runs it): otherwise EPERM and the engine's call.
// Anything else: null, and the fault goes through the engine as before.

/** Send `signal` to the container's main process now (synchronous: the clock is read right around it). */
export type HostSignal = (signal: NodeJS.Signals) => void;

/** What drill needs to signal a container's main process itself: the process, and the signal a graceful stop sends. */
export interface DirectSignaller {
  send: HostSignal;
  pid: number;
  /** The container's StopSignal (what `docker stop` sends first), SIGTERM when it names none; null when drill does not know the name. */
  stopSignal: NodeJS.Signals | null;
}

/** A direct signaller of the container's main process, or null when the engine must do it (see above). */
export async function hostSignaller(ctx: FaultContext, container: RunningContainer): Promise<DirectSignaller | null> {
  if (!ctx.engineEvents || process.platform !== 'linux') return null;
  const info = await ctx.docker
    .getContainer(container.id)
    .inspect()
    .catch(() => null);
  const pid = info?.State.Pid ?? 0;
  const policy = info?.HostConfig.RestartPolicy?.Name ?? '';
  if (!info?.State.Running || pid <= 1 || (policy !== '' && policy !== 'no')) return null;
  const cgroup = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
  if (!cgroup.includes(info.Id)) return null;
  try {
    process.kill(pid, 0); // may we signal it at all?
  } catch {
    return null;
  }
  // The Engine API returns Config.StopSignal; dockerode's types leave it out.
  return { pid, send: (signal) => process.kill(pid, signal), stopSignal: stopSignalOf((info.Config as { StopSignal?: string }).StopSignal) };
}

/** The engine's StopSignal as a signal name Node knows ("SIGQUIT", "QUIT", "3"), SIGTERM when unset, else null. */
export function stopSignalOf(configured: string | undefined): NodeJS.Signals | null {
  if (!configured) return 'SIGTERM';
  const upper = configured.toUpperCase();
  const byName = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
  if (byName in os.constants.signals) return byName;
  const byNumber = Object.entries(os.constants.signals).find(([, n]) => String(n) === configured);
  return byNumber ? (byNumber[0] as NodeJS.Signals) : null;
}
