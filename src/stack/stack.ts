import type { RunningContainer } from './resources.js';

// What the runner needs from a stack, whatever its kind. Roles are dynamic ("who is primary now?") and
// are always resolved from the system itself at the moment they are needed.

export interface StackEvent {
  /** Run-clock ms when drill observed it. */
  atMs: number;
  source: 'sentinel' | 'stack';
  message: string;
  marker?: string;
}

export interface StackTopology {
  primary: string | null;
  replicas: string[];
}

export interface Stack {
  kind: string;
  containers: RunningContainer[];
  /** The fixture app's base URL on 127.0.0.1. */
  appUrl: string;
  /** The container that is the primary now, asked of the system (Sentinel for Redis). */
  primary(): Promise<RunningContainer>;
  topology(): Promise<StackTopology>;
  /** Every write id present on the current primary. */
  readWriteIds(): Promise<Set<number>>;
  /** Start recording the system's own evidence (Sentinel events). */
  watch(onEvent: (event: StackEvent) => void): Promise<void>;
  /** Close the runner's own client connections (containers are removed by label, elsewhere). */
  close(): Promise<void>;
}
