// The true outage of a known fault, from the target's side and never from drill's estimate (docs/design.md
// "Ground truth of bench/precision"). Every instant here is epoch ms on the host's clock, which the engine,
// the containers and drill's run clock share; only differences of two instants from one source are
// outages, so no clock alignment enters an outage.

/** One write the fixture app acknowledged (its SERVE_LOG line): id and when the reply left it. */
export interface Served {
  id: number;
  epochMs: number;
}

/** An engine event of the frozen container (pause, unpause), at the engine's timeNano. */
export interface FreezeEvent {
  containerId: string;
  action: string;
  epochMs: number;
}

/**
 * A change of a container's freezer state read by the benchmark: it happened after `afterEpochMs` (the
 * start of the last read that showed `from`) and by `byEpochMs` (the end of the first that showed `to`).
 */
export interface FreezerChange {
  containerId: string;
  from: string;
  to: string;
  afterEpochMs: number;
  byEpochMs: number;
}

export interface OutageTruth {
  outageMs: number;
  fromEpochMs: number;
  toEpochMs: number;
  /** What bounds it, in words. */
  evidence: string;
  /**
   * How much it may overstate the outage (0: exact as far as known). The app's served gap runs from an
   * ack before the outage to one after it: by up to one gap between acks at each end plus the 1 ms of
   * Date.now() at each, measured from the app's own record around the outage, and the first ack's own
   * latency (it answered a write sent that long before).
   */
  overstateMs: number;
  /**
   * How much it may understate the outage (0 for a freezer or a killed app). An app cut off its backend
   * stamps its last ack when the reply leaves it, which can be after the cut if that reply had already
   * passed it: by at most that write's own latency (the client sent it before the app did) + 1 ms.
   */
  understateMs: number;
}

const SERVED_LINE = /(?:^|\s)served (\d+) (\d+)$/;

/** The served writes in a node log (logs/app-1.log: `<engine stamp> served <id> <epoch ms>`), in log order. */
export function parseServedLog(text: string): Served[] {
  const served: Served[] = [];
  for (const line of text.split('\n')) {
    const m = SERVED_LINE.exec(line.trimEnd());
    if (m) served.push({ id: Number(m[1]), epochMs: Number(m[2]) });
  }
  return served;
}

/**
 * Pause, as the engine saw it (a second look beside the freezer's): from its `pause` event to its `unpause`
 * event of that container. The pause event is logged once every task is frozen, up to ~100 ms after the
 * freeze began, the unpause right after the thaw: this understates the freeze by the freezing time.
 */
export function freezeTruth(events: readonly FreezeEvent[]): OutageTruth | null {
  const freeze = events.find((e) => e.action === 'pause');
  if (!freeze) return null;
  const thaw = events.find((e) => e.action === 'unpause' && e.containerId === freeze.containerId && e.epochMs >= freeze.epochMs);
  if (!thaw) return null;
  return {
    outageMs: thaw.epochMs - freeze.epochMs,
    fromEpochMs: freeze.epochMs,
    toEpochMs: thaw.epochMs,
    evidence: `engine events pause → unpause of ${freeze.containerId.slice(0, 12)}`,
    overstateMs: 0,
    understateMs: 0,
  };
}

/** The freezer's "not frozen" states: cgroup v1's freezer.state and v2's cgroup.freeze. */
const THAWED = new Set(['THAWED', '0']);

/**
 * Pause, from the target's own cgroup: the tasks stopped when its freezer left THAWED and resumed when it
 * returned to THAWED, each change known within the two reads around it. The outage lies in
 * [thaw.after − freeze.by, thaw.by − freeze.after]: the truth is the longer end, overstating by the width.
 * The longest such freeze of the run is the scenario's: a read can also catch a freezer passing through a
 * state for a few ms (seen once: a 14.7 ms "freeze" before the real one).
 */
export function freezerTruth(changes: readonly FreezerChange[]): OutageTruth | null {
  let best: { freeze: FreezerChange; thaw: FreezerChange } | null = null;
  for (const freeze of changes) {
    if (!THAWED.has(freeze.from) || THAWED.has(freeze.to)) continue;
    const thaw = changes.find((c) => c !== freeze && c.containerId === freeze.containerId && THAWED.has(c.to) && c.afterEpochMs >= freeze.afterEpochMs);
    if (thaw && (!best || thaw.byEpochMs - freeze.afterEpochMs > best.thaw.byEpochMs - best.freeze.afterEpochMs)) best = { freeze, thaw };
  }
  if (!best) return null;
  const { freeze, thaw } = best;
  const longestMs = thaw.byEpochMs - freeze.afterEpochMs;
  const shortestMs = thaw.afterEpochMs - freeze.byEpochMs;
  return {
    outageMs: longestMs,
    fromEpochMs: freeze.afterEpochMs,
    toEpochMs: thaw.byEpochMs,
    evidence: `cgroup freezer of ${freeze.containerId.slice(0, 12)}: ${freeze.from} → ${freeze.to} … ${thaw.from} → ${thaw.to}, read by the benchmark`,
    overstateMs: Math.max(0, longestMs - shortestMs),
    understateMs: 0,
  };
}

export interface ServedGap extends OutageTruth {
  lastBefore: Served;
  firstAfter: Served;
  /** Acks after the fault was certainly in place and before the heal began: 0, or the outage was not one gap. */
  ackedInsideFault: number;
  /** The longest gap between acks that begins in the second after firstAfter: a target that flapped has a long one. */
  flapMs: number;
}

/** What counts as "right after" the first ack, for flapMs: drill's default stable window. */
const STABLE_MS = 1000;

/**
 * Kill, partition (and a pause, as a cross-check): from the last write the app acknowledged before the heal
 * began to the first it acknowledged after, from the app's own record. `inPlaceEpochMs` is when the fault
 * was certainly in effect (the injecting call had returned); acks between it and the heal are counted.
 * `appOutlivesCut`: the fault cuts the app off its backend, so its last ack may trail the cut (understateMs).
 */
export function servedGapTruth(served: readonly Served[], inPlaceEpochMs: number, healEpochMs: number, latencyOfMs: (id: number) => number = () => 0, appOutlivesCut = false): ServedGap | null {
  let lastBefore: Served | undefined;
  let firstAfter: Served | undefined;
  let ackedInsideFault = 0;
  for (const s of served) {
    if (s.epochMs < healEpochMs) {
      if (!lastBefore || s.epochMs >= lastBefore.epochMs) lastBefore = s;
      if (s.epochMs > inPlaceEpochMs) ackedInsideFault++;
    } else if (!firstAfter || s.epochMs < firstAfter.epochMs) {
      firstAfter = s;
    }
  }
  if (!lastBefore || !firstAfter) return null;
  // Gaps that begin inside the second after the first ack, the one running past its end included.
  const after = firstAfter;
  const acks = served.filter((s) => s.epochMs >= after.epochMs).map((s) => s.epochMs);
  acks.sort((a, b) => a - b);
  let flapMs = 0;
  for (let i = 1; i < acks.length && acks[i - 1]! <= after.epochMs + STABLE_MS; i++) flapMs = Math.max(flapMs, acks[i]! - acks[i - 1]!);
  // The gaps between acks next to the outage: the ack before lastBefore, the one after firstAfter.
  const before = lastBefore;
  const prior = served.filter((s) => s.epochMs < before.epochMs).reduce((m, s) => Math.max(m, s.epochMs), Number.NEGATIVE_INFINITY);
  const gapBeforeMs = Number.isFinite(prior) ? before.epochMs - prior : 0;
  const gapAfterMs = acks.length > 1 ? acks[1]! - acks[0]! : 0;
  return {
    outageMs: firstAfter.epochMs - lastBefore.epochMs,
    fromEpochMs: lastBefore.epochMs,
    toEpochMs: firstAfter.epochMs,
    evidence: `app served write ${lastBefore.id}, then ${firstAfter.id}`,
    // … and the first write served after it had been on its way that long (its client's send to its answer).
    overstateMs: gapBeforeMs + gapAfterMs + latencyOfMs(firstAfter.id) + 2,
    understateMs: appOutlivesCut ? latencyOfMs(lastBefore.id) + 1 : 0,
    lastBefore,
    firstAfter,
    ackedInsideFault,
    flapMs,
  };
}

export interface Judged {
  trueOutageMs: number;
  measuredMs: number | null;
  errorMs: number | null;
  precisionMs: number;
  /** The truth's own overstatement allowed below it (OutageTruth.overstateMs). */
  truthSlackMs: number;
  /** The truth's own understatement allowed above it (OutageTruth.understateMs). */
  truthUnderstateMs: number;
  inside: boolean;
}

/**
 * The measured outage against the truth: inside when the measured one is within the stated precision of
 * the truth's own range [true − its overstatement, true + its understatement]: error in
 * [−(precision + slack), precision + understatement].
 */
export function judge(trueOutageMs: number, measuredMs: number | null, precisionMs: number, truthSlackMs = 0, truthUnderstateMs = 0): Judged {
  const errorMs = measuredMs === null ? null : Math.round((measuredMs - trueOutageMs) * 10) / 10;
  const inside = errorMs !== null && errorMs <= precisionMs + truthUnderstateMs && errorMs >= -(precisionMs + truthSlackMs);
  return { trueOutageMs, measuredMs, errorMs, precisionMs, truthSlackMs, truthUnderstateMs, inside };
}
