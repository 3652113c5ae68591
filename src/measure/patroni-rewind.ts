import type { NodeLog } from './types.js';

// Divergence on the patroni stack, from Patroni's own log (docs/patroni.md): Patroni rewinds a former
// leader by itself, so what it alone had (its WAL past the new leader's fork) is gone by the time drill
// reads the nodes. Before it runs pg_rewind, Patroni logs the node's position ("Local timeline=1
// lsn=0/44B9480") and the new leader's timeline history ("primary: history=1<TAB>0/446B508<TAB>..."),
// whose line for that timeline is the fork point; pg_rewind then says where it found the servers to
// diverge ("servers diverged at WAL location 0/446B508 on timeline 1"). The bytes between the two
// positions are the WAL the old leader alone wrote, discarded by the rewind.

export interface PatroniRewind {
  /** The node Patroni rewound (the former leader) and the one it rewound from. */
  node: string;
  source: string | null;
  /** Run-clock ms of Patroni's "running pg_rewind from" line. */
  atMs: number;
  timeline: number;
  /** The node's own last position, as Patroni logged it before the rewind. */
  localLsn: string;
  /** Where the new leader's timeline left this node's timeline (its history file). */
  forkLsn: string;
  /** WAL past the fork that only this node had: discarded by the rewind. */
  extraWalBytes: number;
  /** pg_rewind's own "servers diverged at WAL location …", when logged. */
  divergedAtLsn: string | null;
}

/** "0/446B508" → bytes. */
export function lsnBytes(text: string): number {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text);
  if (!m) return Number.NaN;
  return parseInt(m[1]!, 16) * 2 ** 32 + parseInt(m[2]!, 16);
}

const LOCAL = /Local timeline=(\d+) lsn=([0-9A-F]+\/[0-9A-F]+)/i;
const HISTORY = /primary: history=(.*)$/;
const RUNNING = /running pg_rewind from (\S+)$/;
const DIVERGED = /servers diverged at WAL location ([0-9A-F]+\/[0-9A-F]+) on timeline (\d+)/i;

/** Every rewind Patroni ran after run-clock 0, with the WAL the rewound node alone had. */
export function rewindsFromLogs(logs: readonly NodeLog[]): PatroniRewind[] {
  const out: PatroniRewind[] = [];
  for (const log of logs) {
    let local: { timeline: number; lsn: string } | null = null;
    let history: string | null = null;
    let open: PatroniRewind | null = null;
    for (const line of log.lines) {
      const l = LOCAL.exec(line.text);
      if (l) local = { timeline: Number(l[1]), lsn: l[2]! };
      const h = HISTORY.exec(line.text);
      if (h) history = h[1]!;
      // A history of several timelines goes on over the next lines ("2<TAB>0/5000000<TAB>...").
      else if (history !== null && /^\d+\s+[0-9A-F]+\/[0-9A-F]+/i.test(line.text)) history += `\n${line.text}`;
      const d = DIVERGED.exec(line.text);
      if (d && open && open.divergedAtLsn === null) open.divergedAtLsn = d[1]!;
      const r = RUNNING.exec(line.text.trim());
      if (!r || line.atMs === null || line.atMs < 0 || !local || history === null) continue;
      const fork = forkOf(history, local.timeline);
      if (fork === null) continue;
      open = {
        node: log.node,
        source: r[1]!,
        atMs: line.atMs,
        timeline: local.timeline,
        localLsn: local.lsn,
        forkLsn: fork,
        extraWalBytes: Math.max(0, lsnBytes(local.lsn) - lsnBytes(fork)),
        divergedAtLsn: null,
      };
      out.push(open);
    }
  }
  return out;
}

/** The history's entry for `timeline`: where the next timeline forked from it. Entries: "tli<TAB>lsn<TAB>reason", one per line or run together. */
function forkOf(history: string, timeline: number): string | null {
  const m = new RegExp(`(?:^|\\s)${timeline}\\s+([0-9A-F]+\\/[0-9A-F]+)`, 'i').exec(history);
  return m ? m[1]! : null;
}
