import type Dockerode from 'dockerode';
import type { FreezeEvent } from './ground-truth.js';
import { onJsonLines } from '../../src/util/json-lines.js';

// The engine's pause and unpause events of one drill's containers, followed by the benchmark itself (not
// by drill) from before the run starts: the freeze and thaw instants of a pause, at the engine's timeNano.
// Followed live because the engine keeps only its last few hundred events, and other drills share it.

export interface FreezeWatch {
  events(): FreezeEvent[];
  stop(): void;
}

interface RawEvent {
  Action?: string;
  timeNano?: number;
  Actor?: { ID?: string };
}

/** Follow pause/unpause events of the containers labelled `drill.drill=<drillName>`. */
export async function watchFreezes(docker: Dockerode, drillName: string): Promise<FreezeWatch> {
  const filters = JSON.stringify({ type: ['container'], event: ['pause', 'unpause'], label: [`drill.drill=${drillName}`] });
  const stream = (await docker.getEvents({ filters })) as NodeJS.ReadableStream & { destroy?: () => void };
  const seen: FreezeEvent[] = [];
  onJsonLines(stream, (value) => {
    const raw = value as RawEvent;
    if (raw.Action && raw.Actor?.ID && typeof raw.timeNano === 'number') seen.push({ containerId: raw.Actor.ID, action: raw.Action, epochMs: raw.timeNano / 1e6 });
  });
  stream.on('error', () => {});
  return {
    events: () => [...seen].sort((a, b) => a.epochMs - b.epochMs),
    stop: () => stream.destroy?.(),
  };
}
