import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultJson } from '../report/result.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { notificationBody } from './notify-body.js';
import { shownNotifyUrl } from './notify-url.js';

// `--notify-url`: one POST of the verdict once the run's reports are on disk. A notification is a
// courtesy, never part of the evidence: whatever happens here, the results stay written and the exit
// code stays the verdict's; a failure is a warning. The URL was checked loopback-only (notify-url.ts).

/** Per attempt, from the request to the end of the answer's body. */
export const NOTIFY_TIMEOUT_MS = 5000;
/** Pause before the one retry. */
export const NOTIFY_RETRY_DELAY_MS = 1000;
const NOTIFY_RETRIES = 1;
/** How much of a refusing answer's body goes into the warning (Slack says why: "invalid_payload"). */
const ANSWER_EXCERPT_CHARS = 200;

export interface Delivery {
  delivered: boolean;
  attempts: number;
  /** HTTP status of the last answer; null when none came. */
  status: number | null;
  /** What went wrong, in words; null when delivered. */
  problem: string | null;
  elapsedMs: number;
}

type Attempt = { kind: 'answered'; status: number; statusText: string; excerpt: string } | { kind: 'network'; message: string } | { kind: 'timeout' };

/**
 * POST `body` as JSON. Retried once, after a pause, when nothing reached the receiver or it failed
 * (network error, 5xx). Not retried: a timeout (the receiver may have taken it, and a retry would double
 * the wait and risk a duplicate message), 4xx (the same body would be refused again), and a redirect,
 * which is never followed: it could lead off loopback.
 */
export async function postJson(url: URL, body: unknown, opts: { timeoutMs?: number; retryDelayMs?: number } = {}): Promise<Delivery> {
  const timeoutMs = opts.timeoutMs ?? NOTIFY_TIMEOUT_MS;
  const started = performance.now();
  // Secrets are masked in everything drill writes; a message leaving the process is no exception.
  const text = redact(JSON.stringify(body));
  let attempts = 0;
  let last: Attempt;
  for (;;) {
    attempts++;
    last = await postOnce(url, text, timeoutMs);
    const retryable = last.kind === 'network' || (last.kind === 'answered' && last.status >= 500);
    if (!retryable || attempts > NOTIFY_RETRIES) break;
    await sleep(opts.retryDelayMs ?? NOTIFY_RETRY_DELAY_MS);
  }
  const elapsedMs = Math.round(performance.now() - started);
  if (last.kind === 'answered') {
    const delivered = last.status >= 200 && last.status < 300;
    const excerpt = last.excerpt.replace(/\s+/g, ' ').trim();
    const problem = delivered
      ? null
      : last.status >= 300 && last.status < 400
        ? `HTTP ${last.status}: a redirect, not followed (notifications go to loopback only)`
        : `HTTP ${last.status} ${last.statusText}${excerpt ? `: ${excerpt}` : ''}`.trim();
    return { delivered, attempts, status: last.status, problem, elapsedMs };
  }
  return { delivered: false, attempts, status: null, problem: last.kind === 'timeout' ? `no answer within ${timeoutMs} ms` : last.message, elapsedMs };
}

async function postOnce(url: URL, text: string, timeoutMs: number): Promise<Attempt> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'drill' }, body: text, redirect: 'manual', signal });
  } catch (error) {
    if (signal.aborted) return { kind: 'timeout' };
    // fetch says only "fetch failed"; the cause says what (connect ECONNREFUSED 127.0.0.1:9000, ...).
    const cause = error instanceof Error ? error.cause : undefined;
    return { kind: 'network', message: cause === undefined ? errorMessage(error) : errorMessage(cause) };
  }
  // The status is the answer; a body that never ends or breaks off does not undo it.
  const excerpt = await response.text().then(
    (t) => t.slice(0, ANSWER_EXCERPT_CHARS),
    () => '',
  );
  return { kind: 'answered', status: response.status, statusText: response.statusText, excerpt };
}

/** Send the run's notification and say what happened, in one line for the log or stderr. */
export async function notifyRun(
  url: URL,
  result: ResultJson,
  paths: { reportPath: string | null; resultPath: string | null },
  opts: { timeoutMs?: number; retryDelayMs?: number } = {},
): Promise<{ delivery: Delivery; message: string }> {
  // Never throws: a notification must not turn a finished run into an error.
  let delivery: Delivery;
  try {
    delivery = await postJson(url, notificationBody(result, paths), opts);
  } catch (error) {
    delivery = { delivered: false, attempts: 0, status: null, problem: errorMessage(error), elapsedMs: 0 };
  }
  const where = shownNotifyUrl(url);
  const tries = `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
  const message = delivery.delivered
    ? `notification sent to ${where} (HTTP ${delivery.status}, ${tries}, ${delivery.elapsedMs} ms)`
    : `the notification to ${where} was not delivered (${tries}, ${delivery.elapsedMs} ms): ${delivery.problem}; the results are written and the exit code is the verdict's`;
  return { delivery, message };
}
