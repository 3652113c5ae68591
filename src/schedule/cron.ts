import { Cron, CronPattern } from 'croner';

// Cron expressions, read by croner: 5 fields (minute hour day-of-month month day-of-week), or 6 with a
// leading seconds field, plus nicknames (@hourly, @daily, @weekly, ...). One place parses them, so the
// drill file's `schedule`, `drill schedule --cron` and the scheduler agree on what is valid.

/** Why an expression is not a cron expression croner accepts, or null when it is. */
export function cronProblem(expression: string): string | null {
  const text = expression.trim();
  if (!text) return 'an empty cron expression';
  const fields = text.split(/\s+/).length;
  if (!text.startsWith('@') && (fields < 5 || fields > 6)) return `expected 5 fields (minute hour day month weekday) or 6 (with seconds first), got ${fields}`;
  try {
    new CronPattern(text);
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
  // Valid but impossible (February 31st): it would never run, which is never what was meant.
  return nextRuns(text, 1).length === 0 ? 'it never fires (no date matches it)' : null;
}

/** The next `count` times the expression fires after `from` (for logs, `--dry-run` and tests). */
export function nextRuns(expression: string, count: number, from: Date = new Date(), timezone?: string): Date[] {
  const job = new Cron(expression.trim(), { paused: true, ...(timezone ? { timezone } : {}) });
  try {
    return job.nextRuns(count, from);
  } finally {
    job.stop();
  }
}
