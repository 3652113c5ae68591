import type { LogMarker } from './markers.js';
import type { NodeLog, TimelineEvent } from './types.js';

// The system's own voice, read from the nodes' container logs after the run: a replica noticing its
// primary is gone, a server coming back, semi-sync switching off. Each such line becomes an event that
// points to its line in logs/<node>.log; events heard live (Sentinel's Pub/Sub) are linked to the line
// where the same node logged them, so a reader can go from the timeline to the evidence.

/** A kind of log line worth a place on the timeline; the stack kinds list theirs (stacks/<kind>/log-rules.ts). */
export interface LogRule {
  pattern: RegExp;
  marker: LogMarker;
  /** What it means, in words ("replica lost its primary"). */
  meaning: string;
}

/** The engine stamps a line as the daemon reads it from the container: within a few ms of the write. */
const LINK_WINDOW_MS = 2_000;

/**
 * Events for the lines that match a rule, from run-clock 0 on (earlier lines are start-up). A change of
 * state counts once: a replica retrying its dead primary every second logs the loss each time, and only
 * the first line until the next different event of that node becomes an event.
 */
export function eventsFromLogs(logs: readonly NodeLog[], rules: readonly LogRule[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const log of logs) {
    let last: LogRule['marker'] | null = null;
    log.lines.forEach((line, i) => {
      if (line.atMs === null || line.atMs < 0) return;
      const rule = rules.find((r) => r.pattern.test(line.text));
      if (!rule || rule.marker === last) return;
      last = rule.marker;
      events.push({ atMs: line.atMs, source: 'log', message: `${log.node}: ${rule.meaning}: ${clip(line.text)}`, marker: rule.marker, log: { node: log.node, line: i + 1 } });
    });
  }
  return events;
}

/**
 * Link each Sentinel event to the line where that Sentinel logged it: the event's message starts with the
 * container name and the channel ("drill-x-sentinel-1: +sdown master ..."), which the log line contains.
 * The nearest matching line within the window wins; events without one stay unlinked.
 */
export function linkEventsToLogs(events: readonly TimelineEvent[], logs: readonly NodeLog[]): TimelineEvent[] {
  const byContainer = new Map(logs.map((l) => [l.container, l]));
  return events.map((e) => {
    if (e.source !== 'sentinel' || e.log) return e;
    const colon = e.message.indexOf(': ');
    const log = colon > 0 ? byContainer.get(e.message.slice(0, colon)) : undefined;
    if (!log) return e;
    // "+sdown master mymaster 172.18.0.2 6379": the channel and its first word identify the line.
    const needle = e.message
      .slice(colon + 2)
      .split(' ')
      .slice(0, 2)
      .join(' ');
    let best: { line: number; offMs: number } | null = null;
    log.lines.forEach((line, i) => {
      if (line.atMs === null || !line.text.includes(needle)) return;
      const offMs = Math.abs(line.atMs - e.atMs);
      if (offMs <= LINK_WINDOW_MS && (!best || offMs < best.offMs)) best = { line: i + 1, offMs };
    });
    const found = best as { line: number; offMs: number } | null;
    return found ? { ...e, log: { node: log.node, line: found.line } } : e;
  });
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text);
