import { DrillFileError, loadDrillFile } from '../spec/load-drill.js';
import { collectDrillFiles } from '../schedule/collect.js';
import { cronProblem, nextRuns } from '../schedule/cron.js';
import type { ScheduledDrill } from '../schedule/scheduler.js';
import { UsageError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';

// What `drill schedule` and `drill schedule --dry-run` both read from the command line: the drills and their
// cron expressions, and the time zone. No runner here, so the dry run loads neither it nor the engine client.

/** Every drill to schedule with its cron expression; every problem of every file at once (exit 2). */
export async function scheduledDrills(opts: { paths: string[]; cron?: string }, log: Logger): Promise<ScheduledDrill[]> {
  if (opts.cron !== undefined) {
    const problem = cronProblem(opts.cron);
    if (problem) throw new UsageError(`--cron: expected a cron expression such as "*/30 * * * *" (5 fields, or 6 with seconds first), got ${JSON.stringify(opts.cron)}: ${problem}`);
  }
  const problems: string[] = [];
  const drills: ScheduledDrill[] = [];
  const unscheduled: string[] = [];
  for (const { file, explicit } of await collectDrillFiles(opts.paths)) {
    try {
      const { spec } = await loadDrillFile(file);
      const cron = opts.cron ?? spec.schedule;
      if (cron) drills.push({ name: spec.name, file, cron: cron.trim() });
      else if (explicit) problems.push(`${file}: no schedule: add \`schedule: "0 3 * * *"\` (a cron expression) to the drill file, or give --cron`);
      else unscheduled.push(file);
    } catch (error) {
      if (error instanceof DrillFileError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  if (unscheduled.length) log.info({ files: unscheduled }, 'drill files without a schedule: not scheduled');
  if (drills.length === 0) throw new UsageError(`nothing to schedule in ${opts.paths.join(', ')}: no drill file has a schedule (add \`schedule:\` or give --cron)`);
  return drills;
}

export function checkTimezone(timezone: string | undefined): void {
  if (!timezone) return;
  try {
    nextRuns('* * * * *', 1, new Date(), timezone);
  } catch (error) {
    throw new UsageError(`--timezone: expected an IANA time zone such as "Europe/Berlin" or "UTC", got ${JSON.stringify(timezone)} (${errorMessage(error)})`);
  }
}
