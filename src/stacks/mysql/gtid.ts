// GTID positions of both flavours, reduced to what the runbook needs: "how many transactions of the
// primary's history does this node have?" and "has it applied everything it received?".
//
//   MariaDB: a position is one GTID per replication domain, "domain-server-seq" ("0-1-523,1-3-7").
//            seq_no grows monotonically inside a domain whatever server wrote it (gtid_strict_mode),
//            so the seq_no of the primary's domain counts that domain's transactions.
//   MySQL:   a GTID set, "uuid:1-100:102,uuid2:1-5" (8.3+ may tag: "uuid:tag:1-5"); the number of
//            transactions is the size of the set, and sets from different sources must be unioned.

/** seq_no of `domain` in a MariaDB GTID position ("" or a missing domain → 0). */
export function mariadbSeq(position: string, domain: number): number {
  for (const part of splitList(position)) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (m && Number(m[1]) === domain) return Number(m[3]);
  }
  return 0;
}

type Intervals = Array<[number, number]>;

/** Parse a MySQL GTID set into source (uuid, or uuid:tag) → sorted, merged closed intervals. */
export function parseGtidSet(set: string): Map<string, Intervals> {
  const out = new Map<string, Intervals>();
  for (const part of splitList(set)) {
    const [uuid, ...rest] = part.split(':');
    if (!uuid) continue;
    let key = uuid.toLowerCase();
    for (const seg of rest) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(seg);
      if (!m) {
        key = `${uuid.toLowerCase()}:${seg}`; // a tag: the intervals after it belong to uuid:tag
        continue;
      }
      const list = out.get(key) ?? [];
      list.push([Number(m[1]), Number(m[2] ?? m[1])]);
      out.set(key, list);
    }
  }
  for (const [key, list] of out) out.set(key, merge(list));
  return out;
}

/** Number of transactions in the union of MySQL GTID sets. */
export function gtidSetSize(...sets: string[]): number {
  const union = new Map<string, Intervals>();
  for (const set of sets) {
    for (const [key, list] of parseGtidSet(set)) union.set(key, [...(union.get(key) ?? []), ...list]);
  }
  let size = 0;
  for (const list of union.values()) for (const [a, b] of merge(list)) size += b - a + 1;
  return size;
}

function merge(list: Intervals): Intervals {
  const sorted = [...list].sort((x, y) => x[0] - y[0]);
  const out: Intervals = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.replace(/\s+/g, ''))
    .filter(Boolean);
}
