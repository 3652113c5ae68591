import { readlinkSync } from 'node:fs';
import os from 'node:os';

// Every container, network and helper drill creates carries these labels. Cleanup selects by them and
// by nothing else, so drill never touches what it did not create.
export const LABEL_RUN_ID = 'drill.run-id';
export const LABEL_DRILL = 'drill.drill';
export const LABEL_ROLE = 'drill.role';
/** Owner process, to tell a crashed run's leftovers from a live run's resources. */
export const LABEL_OWNER_PID = 'drill.owner-pid';
export const LABEL_OWNER_HOST = 'drill.owner-host';
export const LABEL_OWNER_STARTED = 'drill.owner-started-ms';
/**
 * The owner's PID namespace: a runner in a container (`docker run --network host`) has the host's host
 * name but pids of its own, so host name and pid alone would make a live run look dead to another runner.
 */
export const LABEL_OWNER_PID_NAMESPACE = 'drill.owner-pidns';
/** The kernel's initial PID namespace (PROC_PID_INIT_INO): every process on the host outside containers. */
export const INITIAL_PID_NAMESPACE = '4026531836';
/**
 * On every resource of a run started with --keep-stack: its owner exits on purpose, leaving the stack to
 * inspect, so another run's sweep of dead runs must not take it; `drill cleanup` removes it.
 */
export const LABEL_KEPT = 'drill.kept';
/** Images built by drill (cached; removed only by `drill cleanup --images`). */
export const LABEL_IMAGE_RECIPE = 'drill.image-recipe';

let pidNamespace: string | undefined;

/** This process's PID namespace, from /proc/self/ns/pid ("pid:[4026531836]"); the initial one if unreadable. */
export function ownPidNamespace(): string {
  if (pidNamespace === undefined) {
    try {
      pidNamespace = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? INITIAL_PID_NAMESPACE;
    } catch {
      pidNamespace = INITIAL_PID_NAMESPACE;
    }
  }
  return pidNamespace;
}

export interface RunIdentity {
  runId: string;
  drillName: string;
  /** Started with --keep-stack: see LABEL_KEPT. */
  kept?: boolean;
}

export function runLabels(run: RunIdentity, role: string): Record<string, string> {
  return {
    [LABEL_RUN_ID]: run.runId,
    [LABEL_DRILL]: run.drillName,
    [LABEL_ROLE]: role,
    [LABEL_OWNER_PID]: String(process.pid),
    [LABEL_OWNER_HOST]: os.hostname(),
    [LABEL_OWNER_PID_NAMESPACE]: ownPidNamespace(),
    [LABEL_OWNER_STARTED]: String(Date.now()),
    ...(run.kept ? { [LABEL_KEPT]: 'true' } : {}),
  };
}

/** Docker filter matching every resource of one run, or of every run. */
export function runFilter(runId?: string): { label: string[] } {
  return { label: [runId ? `${LABEL_RUN_ID}=${runId}` : LABEL_RUN_ID] };
}
