import { parseGtidSet } from './gtid.js';

// Errant transactions: what a node has in its own history that the primary it should replicate from
// does not (a killed primary's last commits that no replica received, writes made on a replica by
// mistake). Pure arithmetic over the GTID state both nodes report, one function per flavour.
//
//   MariaDB  @@gtid_binlog_state: the last GTID of every (domain, server) pair in the node's binlog,
//            "0-1-100,0-2-250". In gtid_strict_mode a domain's history is one sequence of seq_no, each
//            transaction one more than the one before; two histories share a prefix, then diverge. A
//            GTID d-s-n of the node is in the primary's history when the primary has server s's
//            transactions of domain d up to n: min(node's last of s, primary's last of s) is shared, so
//            the shared prefix reaches the largest of those, and everything after it on the node is errant.
//   MySQL    @@gtid_executed: a set; errant = node's set minus the primary's (GTID_SUBTRACT).

export interface ErrantSet {
  count: number;
  /** The errant GTIDs as ranges, in the system's own notation: "0-1-99..0-1-100" (MariaDB), "uuid:7-9" (MySQL). */
  ranges: string[];
  /** The first few errant GTIDs, oldest first. */
  first: string[];
}

const FIRST = 5;

interface MariadbGtid {
  domain: number;
  server: number;
  seq: number;
}

/** Parse "0-1-100,0-2-250" (gtid_binlog_state or a position); malformed parts are refused, not skipped. */
export function parseMariadbGtids(state: string): MariadbGtid[] {
  return state
    .split(',')
    .map((s) => s.replace(/\s+/g, ''))
    .filter(Boolean)
    .map((part) => {
      const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
      if (!m) throw new Error(`not a MariaDB GTID: ${JSON.stringify(part)}`);
      return { domain: Number(m[1]), server: Number(m[2]), seq: Number(m[3]) };
    });
}

/** The node's transactions the primary lacks, from both @@gtid_binlog_state values. */
export function mariadbErrant(nodeState: string, primaryState: string): ErrantSet {
  const node = parseMariadbGtids(nodeState);
  const primary = parseMariadbGtids(primaryState);
  const last = (list: MariadbGtid[], domain: number, server: number) => list.find((g) => g.domain === domain && g.server === server)?.seq ?? 0;
  const out: ErrantSet = { count: 0, ranges: [], first: [] };
  for (const domain of [...new Set(node.map((g) => g.domain))].sort((a, b) => a - b)) {
    const mine = node.filter((g) => g.domain === domain);
    const top = Math.max(...mine.map((g) => g.seq));
    const shared = Math.max(0, ...mine.map((g) => Math.min(g.seq, last(primary, domain, g.server))));
    if (top <= shared) continue;
    out.count += top - shared;
    // The servers that wrote after the shared prefix. One: the range is named exactly; several: their
    // transactions interleave, and only the domain's seq_no range is known.
    const writers = mine.filter((g) => g.seq > shared).map((g) => g.server);
    if (writers.length === 1) {
      const s = writers[0]!;
      out.ranges.push(top === shared + 1 ? `${domain}-${s}-${top}` : `${domain}-${s}-${shared + 1}..${domain}-${s}-${top}`);
      for (let n = shared + 1; n <= top && out.first.length < FIRST; n++) out.first.push(`${domain}-${s}-${n}`);
    } else {
      out.ranges.push(`domain ${domain} seq_no ${shared + 1}..${top} (servers ${writers.sort((a, b) => a - b).join(', ')})`);
    }
  }
  return out;
}

/** The node's transactions the primary lacks, from both @@gtid_executed sets. */
export function mysqlErrant(nodeExecuted: string, primaryExecuted: string): ErrantSet {
  const node = parseGtidSet(nodeExecuted);
  const primary = parseGtidSet(primaryExecuted);
  const out: ErrantSet = { count: 0, ranges: [], first: [] };
  for (const [source, intervals] of [...node].sort(([a], [b]) => a.localeCompare(b))) {
    const left = subtract(intervals, primary.get(source) ?? []);
    for (const [a, b] of left) {
      out.count += b - a + 1;
      out.ranges.push(a === b ? `${source}:${a}` : `${source}:${a}-${b}`);
      for (let n = a; n <= b && out.first.length < FIRST; n++) out.first.push(`${source}:${n}`);
    }
  }
  return out;
}

/** Sorted, merged closed intervals `from` minus `minus` (both as parseGtidSet returns them). */
function subtract(from: Array<[number, number]>, minus: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a0, b] of from) {
    let a = a0;
    for (const [c, d] of minus) {
      if (d < a || c > b) continue;
      if (c > a) out.push([a, c - 1]);
      a = Math.max(a, d + 1);
      if (a > b) break;
    }
    if (a <= b) out.push([a, b]);
  }
  return out;
}
