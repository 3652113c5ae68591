import { Cron } from 'croner';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../util/errors.js';

// The scheduler: one croner job per drill. A drill never overlaps itself (croner's `protect`: a time that
// comes while the drill is still queued or running is skipped, and logged). Unless `parallel`, drills
// also never run at the same time as each other: they queue, one after the other, because two drills
// sharing a host's cores distort each other's measurements. stop() stops every job, drops the queue and
// aborts the running drill (which heals its faults, tears down and reports), then waits for it.

export interface ScheduledDrill {
  /** Drill name (for logs). */
  name: string;
  file: string;
  cron: string;
}

export interface SchedulerOptions {
  drills: ScheduledDrill[];
  /** Runs one drill to the end; must honour the signal (abort: heal, tear down, report). */
  runOne: (drill: ScheduledDrill, signal: AbortSignal) => Promise<void>;
  log: Logger;
  parallel?: boolean;
  timezone?: string;
}

export interface Scheduler {
  /** Next fire time of each drill. */
  nextRuns(): { name: string; file: string; cron: string; next: Date | null }[];
  /** Stop scheduling, abort what runs, resolve when every started run has finished. */
  stop(reason: Error): Promise<void>;
  /** Resolves when stop() has completed. */
  stopped: Promise<void>;
}

export function startScheduler(opts: SchedulerOptions): Scheduler {
  const { log } = opts;
  const controller = new AbortController();
  const running = new Set<Promise<void>>();
  let queue: Promise<void> = Promise.resolve();
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const fire = (drill: ScheduledDrill, scheduledAt: Date | null): Promise<void> => {
    const run = async () => {
      if (controller.signal.aborted) return;
      const startedAt = Date.now();
      const lateMs = scheduledAt ? startedAt - scheduledAt.getTime() : 0;
      log.info({ drill: drill.name, file: drill.file, scheduledAt: scheduledAt?.toISOString(), ...(lateMs > 1000 ? { waitedMs: lateMs } : {}) }, 'scheduled run starting');
      try {
        await opts.runOne(drill, controller.signal);
      } catch (error) {
        log.error({ drill: drill.name, err: errorMessage(error) }, 'scheduled run failed before it could report');
      }
      const job = jobs.find((j) => j.drill === drill)?.job;
      log.info({ drill: drill.name, tookMs: Date.now() - startedAt, next: job?.nextRun()?.toISOString() ?? null }, 'scheduled run done');
    };
    // Serial unless parallel: each run waits for the one before it (whichever drill it was).
    const p = opts.parallel ? run() : (queue = queue.then(run, run));
    running.add(p);
    return p.finally(() => running.delete(p));
  };

  const jobs = opts.drills.map((drill) => ({
    drill,
    job: new Cron(
      drill.cron,
      {
        name: `drill:${drill.file}`,
        protect: () => {
          log.warn({ drill: drill.name, file: drill.file }, 'skipped a scheduled time: the previous run of this drill is still queued or running');
        },
        catch: (error) => {
          log.error({ drill: drill.name, err: errorMessage(error) }, 'scheduled run failed');
        },
        ...(opts.timezone ? { timezone: opts.timezone } : {}),
      },
      // Cron times are whole seconds; croner's timer may fire (and report) a millisecond early.
      (self) => fire(drill, wholeSecond(self.currentRun())),
    ),
  }));

  return {
    nextRuns: () => jobs.map(({ drill, job }) => ({ name: drill.name, file: drill.file, cron: drill.cron, next: job.nextRun() })),
    stopped,
    async stop(reason) {
      if (!controller.signal.aborted) {
        for (const { job } of jobs) job.stop();
        controller.abort(reason);
      }
      await Promise.allSettled([...running]);
      resolveStopped();
    },
  };
}

function wholeSecond(at: Date | null): Date | null {
  return at ? new Date(Math.round(at.getTime() / 1000) * 1000) : null;
}
