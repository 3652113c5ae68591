// iptables rule sets, as plain text: pure functions, unit-tested without an engine.
//
// Every rule drill installs lives in a chain of its own (DRILL-<n>), in the target's network namespace,
// hooked into INPUT and OUTPUT (and nat PREROUTING for the latency proxy). Heal = unhook, flush, delete
// that chain: nothing else in the namespace is touched. One chain hooked into both INPUT and OUTPUT can
// say "to and from X" with -s/-d alone: in INPUT the source is the peer, in OUTPUT the destination is.

export interface NodeAddr {
  node: string;
  ip: string;
}

export interface RuleSet {
  /** Rule specs for the filter chain, without `-A <chain>`. */
  filter: string[];
  /** Rule specs for the nat chain (hooked into PREROUTING), without `-A <chain>`. */
  nat: string[];
}

let chainSeq = 0;
/** A chain name of this process; iptables allows 28 characters. */
export function newChainName(): string {
  chainSeq += 1;
  return `DRILL-${process.pid.toString(36)}-${chainSeq}`;
}

/** iptables-restore --noflush input that creates, fills and hooks the chain, atomically per table. */
export function installScript(chain: string, rules: RuleSet): string {
  const lines = ['*filter', `:${chain} - [0:0]`];
  // Loopback (the proxy's own upstream connections, a server talking to itself) is never affected.
  lines.push(`-A ${chain} -i lo -j RETURN`, `-A ${chain} -o lo -j RETURN`);
  for (const spec of rules.filter) lines.push(`-A ${chain} ${spec}`);
  lines.push(`-I INPUT 1 -j ${chain}`, `-I OUTPUT 1 -j ${chain}`, 'COMMIT');
  if (rules.nat.length) {
    lines.push('*nat', `:${chain} - [0:0]`);
    for (const spec of rules.nat) lines.push(`-A ${chain} ${spec}`);
    lines.push(`-I PREROUTING 1 -j ${chain}`, 'COMMIT');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * sh script that removes the chain (every hook of it, then the chain) and exits non-zero only if the chain
 * is still there afterwards. "Already gone" is success. The hooks found in the namespace are deleted in one
 * iptables-restore (one commit per table, like the install) by the perl in "$1", which stamps the commit on
 * the host's clock (the node's traffic flows again inside the stamps) and runs it at the instant in "$2"
 * (epoch s; empty: now), watching its effect by sends to the address in "$3" (empty: none). The loops after
 * it catch any hook a racing change added.
 */
export function removeScript(chain: string): string {
  const hooks: [string, string][] = [
    ['filter', 'INPUT'],
    ['filter', 'OUTPUT'],
    ['nat', 'PREROUTING'],
  ];
  // Only drill's hooks, only in the two tables drill writes: `-A INPUT -j <chain>` → `-D INPUT -j <chain>`.
  const isHook = hooks.map(([, hook]) => `$0 == "-A ${hook} -j " c`).join(' || ');
  const unhook = `{ iptables-save -t filter; iptables-save -t nat; } 2>/dev/null | awk -v c='${chain}' '/^[*]/ { t = $0 } ${isHook} { if (t != p) { if (p != "") print "COMMIT"; print t; p = t } sub(/^-A/, "-D"); print } END { if (p != "") print "COMMIT" }'`;
  const lines: string[] = [`unhook=$(${unhook})`, `[ -z "$unhook" ] || perl -e "$1" "$unhook" "$2" "$3" || echo "unhooking ${chain} in one commit failed; one by one" >&2`];
  for (const [table, hook] of hooks) lines.push(`while iptables -t ${table} -D ${hook} -j ${chain} 2>/dev/null; do :; done`);
  for (const table of ['filter', 'nat']) lines.push(`iptables -t ${table} -F ${chain} 2>/dev/null; iptables -t ${table} -X ${chain} 2>/dev/null`);
  for (const table of ['filter', 'nat']) lines.push(`if iptables -t ${table} -S ${chain} >/dev/null 2>&1; then echo "chain ${chain} still in table ${table}" >&2; exit 1; fi`);
  lines.push(`sed -i '/^chain ${chain}$/d' ${LEDGER_PATH} 2>/dev/null`, 'exit 0');
  return lines.join('\n');
}

/**
 * The helper's ledger: every chain (and netem qdisc) drill puts in the namespace is written down in the
 * helper before it is installed and struck out when removed. A purge — `drill cleanup` after a crash, for
 * namespaces that outlive the run (containers drill did not create) — removes exactly what is listed there,
 * never anything else.
 */
export const LEDGER_PATH = '/tmp/drill-ledger';

export const ledgerAdd = (entry: `chain ${string}` | `netem ${string}`): string => `echo '${entry}' >> ${LEDGER_PATH}`;

/** sh script: undo everything in the ledger; prints what it removed; exits non-zero if something stayed. */
export function purgeScript(): string {
  return [
    `[ -f ${LEDGER_PATH} ] || exit 0`,
    'status=0',
    `for chain in $(sed -n 's/^chain //p' ${LEDGER_PATH} | sort -u); do`,
    '  for hook in "filter INPUT" "filter OUTPUT" "nat PREROUTING"; do set -- $hook; while iptables -t $1 -D $2 -j "$chain" 2>/dev/null; do :; done; done',
    '  for t in filter nat; do iptables -t $t -F "$chain" 2>/dev/null; iptables -t $t -X "$chain" 2>/dev/null; if iptables -t $t -S "$chain" >/dev/null 2>&1; then echo "chain $chain still in $t" >&2; status=1; fi; done',
    '  echo "removed chain $chain"',
    'done',
    `for dev in $(sed -n 's/^netem //p' ${LEDGER_PATH} | sort -u); do`,
    '  if tc qdisc show dev "$dev" | grep -q netem; then tc qdisc del dev "$dev" root && echo "removed netem on $dev" || status=1; fi',
    'done',
    `[ $status = 0 ] && rm -f ${LEDGER_PATH}`,
    'exit $status',
  ].join('\n');
}

/** Drop everything to and from the peers (`both`), only what goes to them (`to`), or only what comes from them (`from`). */
export function dropRules(peers: readonly NodeAddr[], direction: 'both' | 'to' | 'from', probability?: number): string[] {
  const stat = probability === undefined || probability >= 1 ? '' : ` -m statistic --mode random --probability ${probability.toFixed(6)}`;
  const out: string[] = [];
  for (const peer of peers) {
    if (direction !== 'to') out.push(`-s ${peer.ip}/32${stat} -j DROP`);
    if (direction !== 'from') out.push(`-d ${peer.ip}/32${stat} -j DROP`);
  }
  return out;
}

/**
 * An address these rules drop whole on the way out (`-d <ip>/32 -j DROP`, loopback excepted: the chain lets
 * it through): from the instant the rules hold, a datagram sent to it from inside the namespace is refused
 * at once (EPERM), which is how a stamped rule change sees its own effect (stamped-install.ts). None when
 * the rules drop only a share, only what comes in, or only some ports.
 */
export function witnessAddress(rules: RuleSet): string | undefined {
  for (const spec of rules.filter) {
    const ip = /^-d (\d{1,3}(?:\.\d{1,3}){3})\/32 -j DROP$/.exec(spec)?.[1];
    if (ip && !ip.startsWith('127.')) return ip;
  }
  return undefined;
}

/** Drop a share of every packet in and out of the node (loopback excepted). */
export function lossRules(probability: number): string[] {
  return probability >= 1 ? ['-j DROP'] : [`-m statistic --mode random --probability ${probability.toFixed(6)} -j DROP`];
}

export interface ProxyRoute {
  /** The service port clients connect to. */
  port: number;
  /** Where the delaying proxy listens for it. */
  listen: number;
}

/**
 * Latency without netem: incoming connections to the service ports are redirected to the delaying proxy.
 * Connections that existed before the redirect are not (nat decides once, at a connection's first packet):
 * their packets are answered with a TCP reset for as long as the fault lasts, so nothing reaches or leaves
 * the service undelayed; clients reconnect, through the proxy.
 */
export function latencyProxyRules(targetIp: string, routes: readonly ProxyRoute[], peerIps: readonly string[] | null = null): RuleSet {
  const filter: string[] = [];
  const nat: string[] = [];
  // Only connections from these peers when given (a slow link between two sites): every other client keeps its path.
  const sources = peerIps ? peerIps.map((ip) => `-s ${ip}/32 `) : [''];
  const dests = peerIps ? peerIps.map((ip) => ` -d ${ip}/32`) : [''];
  for (const r of routes) {
    for (const src of sources) {
      nat.push(`${src}-d ${targetIp}/32 -p tcp -m tcp --dport ${r.port} -j REDIRECT --to-ports ${r.listen}`);
      filter.push(`${src}-d ${targetIp}/32 -p tcp -m tcp --dport ${r.port} -j REJECT --reject-with tcp-reset`);
    }
    // Resets pass: they are what tells a client its old connection is gone (ss -K sends them).
    for (const dst of dests) filter.push(`-s ${targetIp}/32${dst} -p tcp -m tcp --sport ${r.port} ! --tcp-flags RST RST -j REJECT --reject-with tcp-reset`);
  }
  return { filter, nat };
}

/** ss filter for established connections to the service ports from anywhere but the node itself (or only from the peers given). */
export function existingConnectionsFilter(targetIp: string, ports: readonly number[], peerIps: readonly string[] | null = null): string {
  const sports = ports.map((p) => `sport = :${p}`).join(' or ');
  if (peerIps) return `( ${sports} ) and ( ${peerIps.map((ip) => `dst ${ip}`).join(' or ')} )`;
  return `( ${sports} ) and not ( dst ${targetIp} or dst 127.0.0.1 )`;
}
