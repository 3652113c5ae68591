// What the LB nodes said, from their stamped log lines (`drill-event <epoch µs> <source> <line>`, see
// config.ts entrypointScript): VRRP state changes, the VIP added to or removed from a node's namespace,
// the proxy's server UP/DOWN. Pure: the lines in, the records out, on the run clock.

export type VrrpState = 'MASTER' | 'BACKUP' | 'FAULT';

export interface VrrpTransition {
  node: string;
  atMs: number;
  state: VrrpState;
  /** keepalived's own words (why, when it says). */
  detail: string;
}

export interface VipChange {
  node: string;
  atMs: number;
  /** true: the VIP was added to this node's namespace; false: removed. */
  held: boolean;
}

export interface BackendStateChange {
  /** The LB node whose proxy said it. */
  lb: string;
  server: string;
  atMs: number;
  up: boolean;
  detail: string;
}

/** One read of HAProxy's counters on one LB node: per server, what it was sent so far. */
export interface ProxyStatsSample {
  lb: string;
  atMs: number;
  /** Requests (HTTP mode: req_tot) or else sessions (TCP mode: stot) sent to each server since HAProxy started. */
  totals: Record<string, number>;
}

export interface NodeEvents {
  vrrp: VrrpTransition[];
  vip: VipChange[];
  backends: BackendStateChange[];
  stats: ProxyStatsSample[];
}

const STAMPED = /^drill-event (\d{13,19}) (\S+) (.*)$/;

/**
 * Parse one node's log. `vip` is the address drill gave keepalived; `backendOf` maps a proxy's upstream
 * address (Nginx names the IP and port) to the app node.
 */
export function parseNodeLog(node: string, lines: readonly string[], vip: string, toRunMs: (epochMs: number) => number, backendOf: (address: string) => string | null): NodeEvents {
  const out: NodeEvents = { vrrp: [], vip: [], backends: [], stats: [] };
  const vipPattern = ` inet ${vip}/`;
  for (const raw of lines) {
    const m = STAMPED.exec(raw);
    if (!m) continue;
    const atMs = Math.round(toRunMs(Number(m[1]) / 1000) * 10) / 10;
    const source = m[2]!;
    const text = m[3]!;
    if (source === 'addr') {
      if (text.includes(vipPattern)) out.vip.push({ node, atMs, held: !text.startsWith('Deleted') });
    } else if (source === 'vrrp') {
      const s = /\(VI_1\) entering (MASTER|BACKUP|FAULT) state(.*)$/i.exec(text);
      if (s) {
        const state = s[1]!.toUpperCase() as VrrpState;
        const why = s[2]!.trim().replace(/^\((.*)\)$/, '$1');
        // keepalived says FAULT twice (with and without the reason): keep one.
        const prev = out.vrrp.at(-1);
        if (prev && prev.state === state && atMs - prev.atMs < 5) {
          if (why && !prev.detail) prev.detail = why;
          continue;
        }
        out.vrrp.push({ node, atMs, state, detail: why });
      }
    } else if (source === 'stats') {
      // "app-1:120:130 app-2:118:128 ..." (name:stot:req_tot; req_tot is empty in TCP mode).
      const totals: Record<string, number> = {};
      for (const token of text.trim().split(/\s+/)) {
        const [server, stot, reqTot] = token.split(':');
        const n = Number(reqTot !== undefined && reqTot !== '' ? reqTot : stot);
        if (server && Number.isFinite(n)) totals[server] = n;
      }
      if (Object.keys(totals).length > 0) out.stats.push({ lb: node, atMs, totals });
    } else if (source === 'proxy') {
      // HAProxy: "Server apps/app-2 (or dbs/db-1, redis/redis-1) is DOWN, reason: Layer4 connection problem, ..." / "is UP".
      const h = /Server (?:apps|dbs|redis)\/(\S+) is (UP|DOWN)(?:, reason: ([^,]+))?/.exec(text);
      if (h) {
        out.backends.push({ lb: node, server: h[1]!, atMs, up: h[2] === 'UP', detail: h[3]?.trim() ?? '' });
        continue;
      }
      // Nginx (passive): "upstream server temporarily disabled while connecting to upstream, ... upstream: "http://172.18.0.5:8080/write?id=1""
      const n = /upstream server temporarily disabled while (\w+).*upstream: "http:\/\/([^/"]+)/.exec(text);
      if (n) out.backends.push({ lb: node, server: backendOf(n[2]!) ?? n[2]!, atMs, up: false, detail: `temporarily disabled while ${n[1]!} (max_fails reached)` });
    }
  }
  return out;
}

export interface HolderWindow {
  fromMs: number;
  toMs: number;
  nodes: string[];
}

/**
 * Who held the VIP over time, from every node's address changes; a node whose container ended (killed,
 * stopped) stops holding at that moment, since its namespace is gone. Returns the intervals where the
 * set of holders is constant, from the first change to `endMs`.
 */
export function holderWindows(changes: readonly VipChange[], endedAtMs: Readonly<Record<string, number>>, endMs: number): HolderWindow[] {
  const events = [...changes.map((c) => ({ atMs: c.atMs, node: c.node, held: c.held })), ...Object.entries(endedAtMs).map(([node, atMs]) => ({ atMs, node, held: false }))].sort(
    (a, b) => a.atMs - b.atMs,
  );
  const holding = new Set<string>();
  const windows: HolderWindow[] = [];
  let since: number | null = null;
  for (const e of events) {
    if (e.atMs > endMs) break;
    if (since !== null && e.atMs > since) windows.push({ fromMs: since, toMs: e.atMs, nodes: [...holding].sort() });
    if (e.held) holding.add(e.node);
    else holding.delete(e.node);
    since = e.atMs;
  }
  if (since !== null && endMs > since) windows.push({ fromMs: since, toMs: endMs, nodes: [...holding].sort() });
  // Merge neighbours with the same holders (a change that did not change who holds).
  const merged: HolderWindow[] = [];
  for (const w of windows) {
    const last = merged.at(-1);
    if (last && last.toMs === w.fromMs && last.nodes.join() === w.nodes.join()) last.toMs = w.toMs;
    else merged.push({ ...w });
  }
  return merged;
}

/**
 * Whether the first election is over by the nodes' own logs: every node's keepalived has said its state,
 * and nothing (a VRRP transition, the VIP added or removed) happened in the last `quietMs`. Two nodes whose
 * timers run out together both take the VIP until the lower priority hears the other's advert, so a
 * single poll seeing one holder is not enough: a CI run saw lb-2 join and leave 105 ms after such a poll.
 */
export function electionQuiet(events: readonly NodeEvents[], nowMs: number, quietMs: number): boolean {
  if (events.some((e) => e.vrrp.length === 0)) return false;
  const lastMs = Math.max(...events.flatMap((e) => [...e.vrrp.map((v) => v.atMs), ...e.vip.map((v) => v.atMs)]));
  return nowMs - lastMs >= quietMs;
}

/** The windows where more than one node held the VIP: VRRP split brain. */
export function splitBrainWindows(windows: readonly HolderWindow[]): HolderWindow[] {
  return windows.filter((w) => w.nodes.length > 1);
}

/** Who held the VIP at `atMs` (by the windows). */
export function holdersAt(windows: readonly HolderWindow[], atMs: number): string[] {
  return windows.find((w) => w.fromMs <= atMs && atMs < w.toMs)?.nodes ?? [];
}

/** The first moment after `fromMs` at which a node other than those holding at `fromMs` held the VIP; null if none did. */
export function vipMovedAtMs(windows: readonly HolderWindow[], fromMs: number): { atMs: number; node: string } | null {
  const before = new Set(holdersAt(windows, fromMs));
  for (const w of windows) {
    if (w.toMs <= fromMs) continue;
    const other = w.nodes.find((n) => !before.has(n));
    if (other) return { atMs: Math.max(w.fromMs, fromMs), node: other };
  }
  return null;
}

/**
 * Requests per second each server was sent, per LB node, between successive reads of its counters
 * (every STATS_EVERY_MS): a counter that went back (HAProxy restarted) counts from zero.
 */
export function proxyRates(samples: readonly ProxyStatsSample[]): { lb: string; atMs: number; perBackend: Record<string, number> }[] {
  const out: { lb: string; atMs: number; perBackend: Record<string, number> }[] = [];
  const last = new Map<string, ProxyStatsSample>();
  for (const sample of [...samples].sort((a, b) => a.atMs - b.atMs)) {
    const before = last.get(sample.lb);
    last.set(sample.lb, sample);
    if (!before || sample.atMs <= before.atMs) continue;
    const seconds = (sample.atMs - before.atMs) / 1000;
    const perBackend: Record<string, number> = {};
    for (const [server, total] of Object.entries(sample.totals)) {
      const prev = before.totals[server] ?? 0;
      perBackend[server] = Math.round((total >= prev ? total - prev : total) / seconds);
    }
    out.push({ lb: sample.lb, atMs: sample.atMs, perBackend });
  }
  return out;
}
