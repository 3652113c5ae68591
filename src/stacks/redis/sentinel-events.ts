import type { Redis } from 'ioredis';
import type { RunClock } from '../../util/clock.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { sentinelMarker } from '../../measure/markers.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { StackEvent } from '../stack.js';

/**
 * Subscribe to every Sentinel's events (+sdown, +odown, +switch-master, ...) and put each on the run's
 * timeline when drill sees it: the system's own evidence next to the clients' view. Returns the
 * subscriber connections, for the stack to close.
 */
export async function subscribeSentinelEvents(
  sentinels: readonly RunningContainer[],
  subscriber: (sentinel: RunningContainer) => Redis,
  clock: RunClock,
  onEvent: (event: StackEvent) => void,
): Promise<Redis[]> {
  const subscribers: Redis[] = [];
  await Promise.all(
    sentinels.map(async (s) => {
      const sub = subscriber(s);
      subscribers.push(sub);
      sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
        if (channel.startsWith('__')) return;
        onEvent({ atMs: clock.nowMs(), source: 'sentinel', message: `${s.name}: ${channel} ${message}`, marker: sentinelMarker(channel) });
      });
      await sub.connect();
      await sub.psubscribe('*');
    }),
  ).catch((error: unknown) => {
    for (const sub of subscribers) sub.disconnect();
    throw new InfraError(`could not subscribe to Sentinel events: ${errorMessage(error)}`);
  });
  return subscribers;
}
