import { parse } from 'yaml';
import { parseDurationMs } from '../../spec/duration.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { AlertSample, NotifiedAlert } from './assess.js';

// drill's reads of the monitoring container, through its ports published on 127.0.0.1: Prometheus's
// HTTP API (the raw ALERTS series: one sample per evaluation, with its exact timestamp) and the webhook
// receiver's record of Alertmanager's notifications. Read-only; the runner's own traffic.

const TIMEOUT_MS = 5000;

async function getJson(url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new InfraError(`monitoring: GET ${url} failed: ${errorMessage(error)}`);
  }
  if (!res.ok) throw new InfraError(`monitoring: GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** Raw samples of a series selector over the last `windowS` seconds (an instant query of a range vector: no resampling). */
async function rawSamples(baseUrl: string, selector: string, windowS: number): Promise<MatrixSeries[]> {
  const query = `${selector}[${Math.max(1, Math.ceil(windowS))}s]`;
  const body = (await getJson(`${baseUrl}/api/v1/query?query=${encodeURIComponent(query)}`)) as { status?: string; data?: { resultType?: string; result?: MatrixSeries[] } };
  if (body.status !== 'success' || body.data?.resultType !== 'matrix') throw new InfraError(`monitoring: Prometheus did not answer ${query} with a matrix`);
  return body.data.result ?? [];
}

export async function alertSamples(baseUrl: string, windowS: number): Promise<AlertSample[]> {
  const out: AlertSample[] = [];
  for (const s of await rawSamples(baseUrl, 'ALERTS', windowS)) {
    const state = s.metric.alertstate;
    if (state !== 'pending' && state !== 'firing') continue;
    for (const [t] of s.values) out.push({ name: s.metric.alertname ?? '', node: s.metric.node ?? null, state, atEpochMs: t * 1000 });
  }
  return out;
}

/** Alertmanager's webhook body (version 4), as much as drill reads of it. */
interface WebhookBody {
  alerts?: { status?: string; labels?: Record<string, string>; startsAt?: string; endsAt?: string }[];
}

/** A time Alertmanager sends, or null for its "zero" time (0001-01-01: not ended). */
function epochOrNull(text: string | undefined): number | null {
  if (!text) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) && t > 0 ? t : null;
}

export async function notifications(receiverUrl: string): Promise<NotifiedAlert[]> {
  const got = (await getJson(`${receiverUrl}/`)) as { receivedAtEpochMs: number; body: WebhookBody | null }[];
  const out: NotifiedAlert[] = [];
  for (const n of got) {
    for (const a of n.body?.alerts ?? []) {
      if (a.status !== 'firing' && a.status !== 'resolved') continue;
      out.push({
        name: a.labels?.alertname ?? '',
        node: a.labels?.node ?? null,
        status: a.status,
        startsAtEpochMs: epochOrNull(a.startsAt),
        endsAtEpochMs: a.status === 'resolved' ? epochOrNull(a.endsAt) : null,
        receivedAtEpochMs: n.receivedAtEpochMs,
      });
    }
  }
  return out;
}

/** Whether every scrape target answered its last scrape (Prometheus's own `up`). */
export async function targetsUp(baseUrl: string): Promise<{ up: number; total: number }> {
  const body = (await getJson(`${baseUrl}/api/v1/query?query=up`)) as { data?: { result?: { value: [number, string] }[] } };
  const result = body.data?.result ?? [];
  return { up: result.filter((r) => r.value[1] === '1').length, total: result.length };
}

/** Your Prometheus's alerting rules (GET /api/v1/rules): names and `for:` (the API gives seconds). */
export async function alertingRules(baseUrl: string): Promise<{ name: string; for: string | null }[]> {
  const body = (await getJson(`${baseUrl}/api/v1/rules?type=alert`)) as { data?: { groups?: { rules?: { type?: string; name?: string; duration?: number }[] }[] } };
  const out: { name: string; for: string | null }[] = [];
  for (const g of body.data?.groups ?? []) {
    for (const r of g.rules ?? []) {
      if (r.type === 'alerting' && typeof r.name === 'string') out.push({ name: r.name, for: r.duration ? `${Math.round(r.duration * 1000)}ms` : null });
    }
  }
  return out;
}

/** A Prometheus duration ("15s", "1m30s", "500ms": the same units as a drill file's) in ms; null when absent or unreadable. */
function promMs(text: unknown): number | null {
  return typeof text === 'string' ? (parseDurationMs(text) ?? null) : null;
}

/** Your monitoring's timing, from its own running configuration: what MTTD is made of there. */
export async function externalTiming(prometheusUrl: string, alertmanagerUrl: string): Promise<{ scrapeIntervalMs: number; evaluationIntervalMs: number; groupWaitMs: number }> {
  const prom = (await getJson(`${prometheusUrl}/api/v1/status/config`)) as { data?: { yaml?: string } };
  const am = (await getJson(`${alertmanagerUrl}/api/v2/status`)) as { config?: { original?: string } };
  const promCfg = parse(prom.data?.yaml ?? '') as { global?: { scrape_interval?: unknown; evaluation_interval?: unknown } } | null;
  const amCfg = parse(am.config?.original ?? '') as { route?: { group_wait?: unknown } } | null;
  return {
    // Prometheus's own defaults when the file says nothing: 1m for both; Alertmanager's group_wait: 30s.
    scrapeIntervalMs: promMs(promCfg?.global?.scrape_interval) ?? 60_000,
    evaluationIntervalMs: promMs(promCfg?.global?.evaluation_interval) ?? 60_000,
    groupWaitMs: promMs(amCfg?.route?.group_wait) ?? 30_000,
  };
}
