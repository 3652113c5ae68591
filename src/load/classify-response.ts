import type { WriteOutcome } from './history.js';

export interface Classified {
  outcome: WriteOutcome;
  error?: string;
}

const OK: Classified = { outcome: 'ok' };

/**
 * An HTTP answer from the fixture app. 2xx: the app acknowledged after the database did. Otherwise the
 * app's JSON body says {"outcome":"fail"|"unknown","error":"..."}; only an explicit "fail" is a definite
 * failure, anything else (including a body we cannot parse) may have been applied: unknown.
 */
export function classifyHttp(status: number, body: string): Classified {
  if (status >= 200 && status < 300) return OK;
  let outcome: WriteOutcome = 'unknown';
  let message = '';
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object') {
      const fields = parsed as { outcome?: unknown; error?: unknown };
      if (fields.outcome === 'fail') outcome = 'fail';
      if (typeof fields.error === 'string') message = fields.error;
    }
  } catch {
    // unparseable body: unknown
  }
  return { outcome, error: message ? `http ${status} ${message}` : `http ${status}` };
}

/** A socket error: before the connection was established the request never left (fail), after it may have (unknown). */
export function classifySocketError(error: unknown, connected: boolean): Classified {
  const code = (error as { code?: unknown } | null)?.code;
  const text = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return { outcome: connected ? 'unknown' : 'fail', error: text };
}
