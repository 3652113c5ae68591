import type { FaultContext } from '../plugin.js';
import { engineLocation } from '../../engine/docker-client.js';
import type { FaultRecord } from '../../measure/types.js';
import { execChecked, sh, type ExecResult } from '../../engine/docker-exec.js';
import type { Helper } from './helpers.js';
import { installScript, ledgerAdd, removeScript, witnessAddress, type RuleSet } from './rules.js';
import { STAMP_FROM as FROM, STAMP_TO as TO, WITNESS_FROM, WITNESS_TO, stampedWindow, stampsOf } from '../stamps.js';

// A rule install stamped inside the node's namespace, on the host's clock: the rules took effect between
// the two stamps, a far tighter bound than the docker exec around them. When several nodes get rules, each
// install waits for one shared instant (the same host clock) with iptables-restore already started, so the
// windows of all nodes nearly coincide instead of spreading over the execs' start-up times.

/**
 * perl (perl-base is in every Debian, drill's images included; Time::HiRes reads the clock to the µs):
 * start iptables-restore at once and feed it the rules up to their first COMMIT (it changes nothing before
 * a COMMIT: it parses), sleep until the instant in $ARGV[1] (epoch s; none: go now; no spinning: on a busy
 * host a sleeper is woken sooner than a spinner gets the CPU back), stamp, feed it the rest, wait for it to
 * exit, stamp. Nothing is started or parsed between the stamps, so the window is the commit itself (median
 * 1.7 ms against 2.6 ms with the rules fed inside it, on two cores kept busy).
 *
 * The witness ($ARGV[2], an address the rules drop on the way out: rules.ts witnessAddress): while
 * iptables-restore commits, an empty UDP datagram to port 9 of that address every ~0.1 ms from inside the
 * namespace. The OUTPUT hook judges a datagram inside the send call itself, so a send refused with EPERM
 * (or, at a heal, let through again) brackets the commit's effect: after the start of the last send that
 * met the old state, by the end of the first that met the new one. A commit that takes 20 ms on a busy host
 * is then placed to a fraction of a millisecond. Any other answer, or no change by a few sends after
 * iptables-restore has exited, and no witness is printed (the two stamps stand). The datagrams go only to
 * that peer (a node of the stack; the run network's gateway when drill itself is the only peer cut), and
 * stop at the change: a few hundred at most.
 */
const PERL_RESTORE = [
  // A rule it refuses ends it early: its exit status is the answer, not a SIGPIPE on the rest.
  "use strict; use Time::HiRes qw(time sleep); $SIG{PIPE} = 'IGNORE';",
  'my ($rules, $at, $witness) = @ARGV; $rules .= "\\n" unless $rules =~ /\\n\\z/;',
  'my ($head, $tail) = $rules =~ /\\A(.*?\\n)?(COMMIT\\n.*)\\z/s ? ($1 // "", $2) : ("", $rules);',
  // Its own pipe, not open "|-": closing that waits for the exit, and the witness must send meanwhile.
  'pipe(my $in, my $ipt) or die "pipe: $!\\n"; my $pid = fork() // die "fork: $!\\n";',
  "if (!$pid) { close $ipt; open(STDIN, '<&', $in) or die \"stdin: $!\\n\"; exec('iptables-restore', '--noflush') or die \"iptables-restore: $!\\n\"; }",
  'close $in; select((select($ipt), $| = 1)[0]); print $ipt $head;',
  // Linux's numbers, not Socket, POSIX and Errno: loading those took ~30 ms per exec (and Errno would load
  // inside the loop, at the first refusal). AF_INET 2, SOCK_DGRAM 2, a sockaddr_in for port 9; EPERM 1.
  'my ($sock, $to); $to = pack("S n C4 x8", 2, 9, $1, $2, $3, $4) if $witness =~ /^(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)$/ && socket($sock, 2, 2, 0);',
  // A send's state: 0 sent, 1 refused by a rule; undef for anything else (then no witness).
  "my $state = sub { defined send($sock, '', 0, $to) ? 0 : $! == 1 ? 1 : undef };",
  'my $was = $to ? $state->() : undef; undef $to unless defined $was;',
  'if ($at) { my $d = $at - time; sleep($d) if $d > 0; }',
  'my $s = time; print $ipt $tail; close($ipt);',
  'my ($e, $status, $wfrom, $wto, $after) = (undef, 0, $s, undef, 0);',
  'while ($to) {',
  '  my $t0 = time; my $now = $state->(); my $t1 = time;',
  '  last unless defined $now; if ($now != $was) { $wto = $t1; last } $wfrom = $t0;',
  '  if (!defined $e && waitpid($pid, 1) == $pid) { ($e, $status) = (time, $?) }', // WNOHANG
  '  last if defined $e && ++$after > 3; sleep(0.0001);',
  '}',
  'if (!defined $e) { waitpid($pid, 0); ($e, $status) = (time, $?) }',
  'exit((($status >> 8) || 1)) if $status;',
  `printf "${FROM} %.0f\\n${TO} %.0f\\n", $s * 1e9, $e * 1e9;`,
  `printf "${WITNESS_FROM} %.0f\\n${WITNESS_TO} %.0f\\n", $wfrom * 1e9, $wto * 1e9 if defined $wto;`,
].join(' ');

/**
 * The command that notes the chain in the ledger, installs it stamped (at `atEpochNs`, host clock, when
 * given; its effect witnessed when the rules drop an address whole), then runs `andThen`.
 */
export function stampedInstallCommand(chain: string, rules: RuleSet, andThen = '', atEpochNs?: bigint): string[] {
  return sh(
    `${ledgerAdd(`chain ${chain}`)} && perl -e "$3" "$1" "$2" "$4"${andThen ? ` && { ${andThen}; }` : ''}`,
    installScript(chain, rules),
    epochSeconds(atEpochNs),
    PERL_RESTORE,
    witnessAddress(rules) ?? '',
  );
}

/** The command that removes the chain, its unhooking stamped the same way (at `atEpochNs` when given; witnessed by sends to `witness`). */
export function stampedRemoveCommand(chain: string, atEpochNs?: bigint, witness?: string): string[] {
  return sh(removeScript(chain), PERL_RESTORE, epochSeconds(atEpochNs), witness ?? '');
}

const epochSeconds = (atEpochNs: bigint | undefined): string => (atEpochNs === undefined ? '' : (Number(atEpochNs / 1000n) / 1e6).toFixed(6));

/** Install the chain in one node's namespace, stamped; at `atEpochNs` (host clock) when given. */
export function installChain(ctx: FaultContext, helper: Helper, chain: string, rules: RuleSet, andThen = '', atEpochNs?: bigint): Promise<ExecResult> {
  return execChecked(ctx.docker, helper.id, `installing ${chain} in ${helper.target.name}`, stampedInstallCommand(chain, rules, andThen, atEpochNs));
}

/**
 * The window in which rules installed on several nodes took effect, on the run clock (stamps.ts
 * stampedWindow); nothing when the stamps cannot be used (the calls' own bounds stand).
 */
export function effectWindow(
  ctx: Pick<FaultContext, 'clock'>,
  results: readonly ExecResult[],
  callFromMs: number,
  callToMs: number,
  local = engineLocation().local,
  inEffectBy?: (endEpochMs: readonly number[]) => number,
): Pick<FaultRecord, 'effectFromMs' | 'effectByMs' | 'effectEvidence'> {
  const w = stampedWindow(ctx, results, callFromMs, callToMs, local, inEffectBy);
  if (!w) return {};
  const n = results.length;
  const witnessed = w.witnessed === 0 ? '' : `; witnessed ${w.witnessed === n ? (n === 1 ? 'there' : 'in each') : `in ${w.witnessed} of them`} by datagrams to a cut peer`;
  return { effectFromMs: w.fromMs, effectByMs: w.toMs, effectEvidence: `rules stamped inside ${n} node namespace${n === 1 ? '' : 's'}${witnessed}` };
}

/** The shared instant is this many times the slowest helper's measured start-up ahead, plus a little. */
const SYNC_FACTOR = 2;
const SYNC_EXTRA_MS = 20;
/** Never hold a fault back longer than this to line its installs up (a slower install only widens its window). */
const SYNC_MAX_MS = 1000;

/**
 * The instant (host clock, epoch ns) at which several nodes' installs should run together, or undefined
 * (one node, a remote engine whose clock is not ours, or a helper that did not answer). It is chosen from
 * how long a command takes to start in these helpers right now (one stamped exec each, in parallel).
 */
export async function syncedInstant(ctx: FaultContext, helpers: readonly Helper[], local = engineLocation().local): Promise<bigint | undefined> {
  if (helpers.length < 2 || !local) return undefined;
  const startEpochMs = ctx.clock.toEpochMs(ctx.clock.nowMs());
  const reached = await Promise.all(
    helpers.map((h) =>
      execChecked(ctx.docker, h.id, `reading the clock in ${h.target.name}`, sh('date +%s%N')).then(
        (r) => Number(r.stdout.trim()) / 1e6 - startEpochMs,
        () => Number.NaN,
      ),
    ),
  );
  if (reached.some((x) => !Number.isFinite(x))) return undefined;
  const aheadMs = Math.min(SYNC_MAX_MS, SYNC_FACTOR * Math.max(0, ...reached) + SYNC_EXTRA_MS);
  return BigInt(Math.round((ctx.clock.toEpochMs(ctx.clock.nowMs()) + aheadMs) * 1e3)) * 1000n;
}

/** Each install's stamps as [start, end] ms after `atEpochNs` (or the earliest start): for the debug log. */
export function stampOffsets(results: readonly ExecResult[], atEpochNs: bigint | undefined): ([number, number] | null)[] {
  const stamps = results.map(stampsOf);
  const starts = stamps.flatMap((s) => (s ? [s.fromEpochMs] : []));
  const zero = atEpochNs !== undefined ? Number(atEpochNs / 1000n) / 1000 : Math.min(...starts);
  const r = (x: number) => Math.round((x - zero) * 10) / 10;
  return stamps.map((s) => (s ? [r(s.fromEpochMs), r(s.toEpochMs)] : null));
}
