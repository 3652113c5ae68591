import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteOutcome, WriteRecord } from '../../src/load/history.js';
import { measure } from '../../src/measure/measure.js';
import type { FaultRecord, MeasureInput } from '../../src/measure/types.js';

/** Writes every stepMs in [fromMs, toMs), latency `latencyMs`, outcome by invoke time. */
function gen(fromMs: number, toMs: number, stepMs: number, outcomeAt: (t: number) => WriteOutcome, latencyMs = 1): WriteRecord[] {
  const out: WriteRecord[] = [];
  let id = 1;
  for (let t = fromMs; t < toMs; t += stepMs) {
    out.push({ id: id++, scheduledMs: t, invokeMs: t, completeMs: t + latencyMs, outcome: outcomeAt(t) });
  }
  return out;
}

const FAULT: FaultRecord = { kind: 'kill', target: 'primary', container: 'drill-x-redis-1', injectedAtMs: 5000, injectReturnedAtMs: 5000.5 };

/** Drill's unpause began at 7290 and the target thawed at 7300. */
const PAUSE_LIFTED: FaultRecord = { ...FAULT, kind: 'pause', healedAtMs: 7290, healReturnedAtMs: 7330 };

/**
 * Writes take 2 ms (every 50th 12 ms: p99 12). Frozen from 5000 and thawed at 7300 (PAUSE_LIFTED), the
 * target worked off its backlog until 7340 before answering the queued writes.
 */
function drainedAfterThaw(): WriteRecord[] {
  return gen(0, 12_000, 2, () => 'ok').map((w) => {
    if (w.invokeMs < 5000) return { ...w, completeMs: w.invokeMs + (w.id % 50 === 0 ? 12 : 2) };
    if (w.invokeMs < 6300) return { ...w, completeMs: w.invokeMs + 1000, outcome: 'unknown' as const };
    if (w.invokeMs < 7340) return { ...w, completeMs: 7342 };
    return { ...w, completeMs: w.invokeMs + 2 };
  });
}

function input(history: WriteRecord[], over: Partial<MeasureInput> = {}): MeasureInput {
  return { history, faults: [FAULT], presentIds: null, stableMs: 1000, bucketMs: 100, timerResolutionMs: 1, ...over };
}

describe('measure: RTO and downtime', () => {
  it('no failure at all: RTO 0, downtime 0, and a note saying so', () => {
    const m = measure(input(gen(0, 10_000, 2, () => 'ok')));
    assert.equal(m.rtoMs, 0);
    assert.equal(m.downtimeMs, 0);
    assert.equal(m.firstFailureAtMs, null);
    assert.equal(m.recoveredAtMs, null);
    assert.ok(
      m.notes.some((n) => /no write failed after the fault/.test(n)),
      m.notes.join('\n'),
    );
    assert.equal(m.ackedWrites, 5000);
    assert.equal(m.failedWrites, 0);
  });

  it("no failure in either stream: the probes' smaller send gap bounds the outage both could have missed", () => {
    // The load sends every 40 ms, the probes every 3 ms from 4500: a stall shorter than either timeout.
    const probeHistory = gen(4500, 9000, 3, () => 'ok').map((w) => ({ ...w, id: 2_000_000_000 + w.id }));
    const m = measure(
      input(
        gen(0, 10_000, 40, () => 'ok'),
        { probeHistory },
      ),
    );
    assert.equal(m.rtoMs, 0);
    assert.equal(m.precision?.gapFrom, 'probe');
    assert.equal(m.precision.gapMs, 3);
    assert.equal(m.precision.loadGapMs, 40);
    // Without the probes, the load's 40 ms.
    assert.equal(measure(input(gen(0, 10_000, 40, () => 'ok'))).precision?.gapMs, 40);
  });

  it("no declared write failed but probes did: the load's gap stands, and the probes' failures are told", () => {
    const probeHistory = gen(4500, 9000, 3, (t) => (t >= 5100 && t < 5400 ? 'unknown' : 'ok')).map((w) => ({ ...w, id: 2_000_000_000 + w.id }));
    const m = measure(
      input(
        gen(0, 10_000, 40, () => 'ok'),
        { probeHistory },
      ),
    );
    assert.equal(m.rtoMs, 0);
    assert.equal(m.precision?.gapFrom, 'load');
    assert.equal(m.precision.gapMs, 40);
    assert.ok(
      m.notes.some((n) => /probe stream had 100 failed writes from 5100 ms/.test(n)),
      m.notes.join('\n'),
    );
  });

  it('everything failing after the fault: never recovered → null and a note', () => {
    const m = measure(input(gen(0, 10_000, 2, (t) => (t < 5000 ? 'ok' : 'fail'))));
    assert.equal(m.rtoMs, null);
    assert.equal(m.downtimeMs, null);
    assert.equal(m.recoveredAtMs, null);
    assert.equal(m.firstFailureAtMs, 5000);
    assert.ok(m.notes.some((n) => /never recovered/.test(n)));
  });

  it('never recovered: the bound is the outage start bracket, not the slow failing sends after it', () => {
    // Good sends every 2 ms up to 5010, then failing ones 400 ms apart (each waits out its timeout).
    const good = gen(0, 5012, 2, () => 'ok');
    const failing = gen(5012, 10_000, 400, () => 'fail').map((w) => ({ ...w, id: 100_000 + w.id }));
    const m = measure(input([...good, ...failing]));
    assert.equal(m.rtoMs, null);
    assert.equal(m.firstFailureAtMs, 5012);
    assert.equal(m.precision?.gapFrom, 'load');
    assert.equal(m.precision.gapMs, 2);
  });

  it('never recovered, with the probe stream: its failure edge places the outage start, and its gap is the bound', () => {
    const history = gen(0, 10_000, 40, (t) => (t < 5020 ? 'ok' : 'fail'));
    const probeHistory = gen(4500, 9000, 3, (t) => (t < 5010 ? 'ok' : 'unknown')).map((w) => ({ ...w, id: 2_000_000_000 + w.id }));
    const m = measure(input(history, { probeHistory }));
    assert.equal(m.rtoMs, null);
    assert.equal(m.firstFailureAtMs, 5010);
    assert.equal(m.precision?.gapFrom, 'probe');
    assert.equal(m.precision.gapMs, 3);
    assert.equal(measure(input(history)).precision?.gapMs, 40);
  });

  it('a clean outage window: exact RTO, downtime and precision', () => {
    const history = gen(0, 12_000, 2, (t) => (t >= 5000 && t < 7300 ? 'fail' : 'ok'));
    const m = measure(input(history));
    assert.equal(m.faultAtMs, 5000);
    assert.equal(m.firstFailureAtMs, 5000);
    assert.equal(m.recoveredAtMs, 7300);
    assert.equal(m.rtoMs, 2300);
    assert.equal(m.downtimeMs, 2300);
    // 2 ms between writes + 1 ms timer + 0.5 ms inject call
    assert.equal(m.precisionMs, 3.5);
    assert.deepEqual(m.precision, { gapMs: 2, gapFrom: 'load', loadGapMs: 2, timerResolutionMs: 1, injectMs: 0.5 });
    assert.equal(m.failedWrites, 1150);
    assert.equal(m.ackedWrites, 6000 - 1150);
    assert.deepEqual(m.recoveryWrite, { id: 3651, invokeMs: 7300, latencyMs: 1 });
    assert.equal(m.stableMs, 1000);
  });

  it('downtime starts at the first failing write, RTO at the fault', () => {
    const m = measure(input(gen(0, 12_000, 2, (t) => (t >= 5100 && t < 7300 ? 'unknown' : 'ok'))));
    assert.equal(m.rtoMs, 2300);
    assert.equal(m.downtimeMs, 2200);
    assert.equal(m.firstFailureAtMs, 5100);
  });

  it('a flapping recovery: a single ok inside the outage, or an ok run shorter than the stable window, is not recovery', () => {
    const single = measure(input(gen(0, 12_000, 2, (t) => (t === 6000 ? 'ok' : t >= 5000 && t < 7300 ? 'fail' : 'ok'))));
    assert.equal(single.recoveredAtMs, 7300);
    assert.equal(single.rtoMs, 2300);
    const shortRun = measure(input(gen(0, 12_000, 2, (t) => (t >= 6000 && t < 6900 ? 'ok' : t >= 5000 && t < 7300 ? 'fail' : 'ok'))));
    assert.equal(shortRun.recoveredAtMs, 7300);
    // one failure at 8000 (inside the window that would start at 7300) pushes recovery to 8002
    const relapse = measure(input(gen(0, 12_000, 2, (t) => (t === 8000 || (t >= 5000 && t < 7300) ? 'fail' : 'ok'))));
    assert.equal(relapse.recoveredAtMs, 8002);
    assert.equal(relapse.rtoMs, 3002);
  });

  it('a relapse after a stable window: RTO runs to the recovery after it, downtime from the first failure, and a note says so', () => {
    // Failing 5000–6000 (a blip), ok and stable 6000–8000, failing again 8000–9500 (the real failover).
    const history = gen(0, 12_000, 2, (t) => ((t >= 5000 && t < 6000) || (t >= 8000 && t < 9500) ? 'fail' : 'ok'));
    const m = measure(input(history));
    assert.equal(m.firstFailureAtMs, 5000);
    assert.equal(m.recoveredAtMs, 9500);
    assert.equal(m.rtoMs, 4500);
    assert.equal(m.downtimeMs, 4500);
    assert.deepEqual(m.relapses, [{ stableFromMs: 6000, failedAgainAtMs: 8000, failedWrites: 750 }]);
    assert.ok(
      m.notes.some((n) => /failed again after a stable 1000 ms window: ok from 6000 ms, then 750 writes failed from 8000 ms on/.test(n)),
      m.notes.join('\n'),
    );
    // Without a relapse there is no such field.
    assert.equal(measure(input(gen(0, 12_000, 2, (t) => (t >= 5000 && t < 6000 ? 'fail' : 'ok')))).relapses, undefined);
  });

  it("failures from the next event's start on are not a relapse of this outage", () => {
    const history = gen(0, 12_000, 2, (t) => ((t >= 5000 && t < 6000) || (t >= 8000 && t < 9500) ? 'fail' : 'ok'));
    const m = measure(input(history, { relapseUntilMs: 8000 }));
    assert.equal(m.recoveredAtMs, 6000);
    assert.equal(m.rtoMs, 1000);
    assert.equal(m.relapses, undefined);
    // One failure just before the next event still is.
    const before = measure(
      input(
        gen(0, 12_000, 2, (t) => ((t >= 5000 && t < 6000) || t === 7998 || t >= 8000 ? 'fail' : 'ok')),
        { relapseUntilMs: 8000 },
      ),
    );
    assert.equal(before.recoveredAtMs, null);
    assert.ok(
      before.notes.some((n) => /writes never recovered: from the last relapse at 7998 ms/.test(n)),
      before.notes.join('\n'),
    );
  });

  it('load ending inside the stable window is not recovered; a full window before the end is', () => {
    const cut = measure(input(gen(0, 7800, 2, (t) => (t >= 5000 && t < 7300 ? 'fail' : 'ok'))));
    assert.equal(cut.rtoMs, null);
    assert.equal(cut.recoveredAtMs, null);
    assert.ok(
      cut.notes.some((n) => /less than the 1000 ms stable window/.test(n)),
      cut.notes.join('\n'),
    );
    // last write at exactly 7300 + 1000 observes the whole window
    const exact = measure(input(gen(0, 8302, 2, (t) => (t >= 5000 && t < 7300 ? 'fail' : 'ok'))));
    assert.equal(exact.recoveredAtMs, 7300);
  });

  it('a success counted at its start must not hide an outage: a write queued through the outage counts from its ack', () => {
    // Writes sent during 5000–7300 hang in a client queue and succeed when the new primary answers at 7300.
    const history = gen(0, 12_000, 2, () => 'ok').map((w) =>
      w.invokeMs >= 5000 && w.invokeMs < 7300 ? { ...w, completeMs: w.invokeMs < 6300 ? w.invokeMs + 1000 : 7300 + 1, outcome: w.invokeMs < 6300 ? ('unknown' as const) : ('ok' as const) } : w,
    );
    // 5000–6300: timed out (unknown); 6300–7300: queued, acked at 7301 → recovery is 7300 (7301 − 1 ms normal latency), not 6300
    const m = measure(input(history));
    assert.equal(m.firstFailureAtMs, 5000);
    assert.equal(m.recoveredAtMs, 7300);
    assert.equal(m.rtoMs, 2300);
    assert.equal(m.recoveryWrite?.invokeMs, 6300);
    assert.ok(m.notes.some((n) => /waited out the outage/.test(n)));
  });

  it('a pause drill lifted: the queue drains after the heal for longer than a normal latency, so the bound reaches back to the heal', () => {
    const [pause, history] = [PAUSE_LIFTED, drainedAfterThaw()];
    // Without the heal: [7342 − 12, 7342 − 2] = 7335 ± 5, which leaves out the thaw at 7300.
    const without = measure(input(history, { faults: [{ ...pause, healedAtMs: undefined, healReturnedAtMs: undefined }] }));
    assert.equal(without.recoveredAtMs, 7335);
    assert.ok(Math.abs(without.recoveredAtMs - 7300) > without.precisionMs);
    // With it: [7290, 7340] = 7315 ± 25 (+ the send gap, timer, fault bound): the thaw is inside.
    const m = measure(input(history, { faults: [pause] }));
    assert.equal(m.recoveredAtMs, 7315);
    assert.equal(m.precision?.queueMs, 25);
    assert.ok(Math.abs(m.recoveredAtMs - 7300) <= m.precisionMs, `the thaw at 7300 lies outside ${m.recoveredAtMs} ± ${m.precisionMs}`);
    assert.ok(
      m.notes.some((n) => /drill's heal of the fault took effect from 7290 ms and a queue drains first/.test(n)),
      m.notes.join(' | '),
    );
    // The thaw read off the freezer during the unpause call (after 7299, by 7301) narrows it: [7299, 7340].
    const seen = measure(input(history, { faults: [{ ...pause, healFromMs: 7299, healByMs: 7301 }] }));
    assert.equal(seen.recoveredAtMs, 7319.5);
    assert.equal(seen.precision?.queueMs, 20.5);
  });

  it('a pause drill lifted, with the probe stream: its first answer after the heal bounds the drain, and it wins over the load with its queue term', () => {
    const [pause, history] = [PAUSE_LIFTED, drainedAfterThaw()];
    // Probes every 3 ms time out after 250 ms; on their own connections they are answered from 7304.
    const probeHistory = gen(4000, 9000, 3, () => 'ok').map((w) => {
      const id = 2_000_000_000 + w.id;
      if (w.invokeMs < 5000) return { ...w, id };
      const answeredMs = Math.max(w.invokeMs + 1, 7304);
      return answeredMs > w.invokeMs + 250 ? { ...w, id, completeMs: w.invokeMs + 250, outcome: 'unknown' as const } : { ...w, id, completeMs: answeredMs };
    });
    const m = measure(input(history, { faults: [pause], probeHistory }));
    // The load alone: 7315 ± (25 + its 2 ms send gap); the probes: [7290, 7304 − 1] = 7296.5 ± 6.5.
    assert.equal(m.precision?.gapFrom, 'probe');
    assert.equal(m.recoveredAtMs, 7296.5);
    assert.equal(m.precision.gapMs, 6.5);
    assert.ok(Math.abs(m.recoveredAtMs - 7300) <= m.precisionMs, `the thaw at 7300 lies outside ${m.recoveredAtMs} ± ${m.precisionMs}`);
  });

  it('a recovering write within the normal latency counts from its send, and what it may have waited beyond the shortest latency is in the bound', () => {
    // Before the fault writes take 1 ms, every 50th 30 ms (p99 30, shortest 1: a busy host). Out from 5000;
    // the server came in at 7318; the write sent at 7300 waited for it and was answered at 7320 (20 ms:
    // normal by the p99), as a load balancer holds a connection until a server is up.
    const history = gen(0, 12_000, 2, () => 'ok').map((w) => {
      if (w.invokeMs < 5000) return { ...w, completeMs: w.invokeMs + (w.id % 50 === 0 ? 30 : 1) };
      if (w.invokeMs < 7300) return { ...w, completeMs: w.invokeMs + 1, outcome: 'fail' as const };
      if (w.invokeMs < 7318) return { ...w, completeMs: 7320 };
      return w;
    });
    const m = measure(input(history));
    assert.equal(m.recoveredAtMs, 7300);
    assert.equal(m.precision?.queueMs, 19);
    assert.ok(Math.abs(m.recoveredAtMs - 7318) <= m.precisionMs, `the server came in at 7318, outside ${m.recoveredAtMs} ± ${m.precisionMs}`);
  });

  it("a normal write's p99 is taken from the last second before the fault: a start's backlog earlier is not the normal a queued write is compared with", () => {
    // Writes take 2 ms, every 50th 12 ms; from 2000 to 2400 (the probe stream starting) 120 ms. Out from 5000 to
    // 7300; the queued writes are answered at 7330.
    const history = gen(0, 12_000, 2, () => 'ok').map((w) => {
      if (w.invokeMs >= 2000 && w.invokeMs < 2400) return { ...w, completeMs: w.invokeMs + 120 };
      if (w.invokeMs < 5000) return { ...w, completeMs: w.invokeMs + (w.id % 50 === 0 ? 12 : 2) };
      if (w.invokeMs < 6300) return { ...w, completeMs: w.invokeMs + 1000, outcome: 'unknown' as const };
      if (w.invokeMs < 7300) return { ...w, completeMs: 7330 };
      return w;
    });
    // [7330 − 12, 7330 − 2]: 7323 ± 5, where the whole history before the fault (p99 120) said 7269 ± 59.
    const m = measure(input(history));
    assert.equal(m.recoveredAtMs, 7323);
    assert.equal(m.precision?.queueMs, 5);
    // The backlog inside the last second: it is the normal then.
    const late = measure(input(history.map((w) => (w.invokeMs >= 4200 && w.invokeMs < 4600 ? { ...w, completeMs: w.invokeMs + 120 } : w))));
    assert.equal(late.precision?.queueMs, 59);
    // At a low rate (every 20 ms, all 2 ms) the window reaches back to 100 ok writes, 2 s: a backlog at
    // 3200–3600 is in it, one at 2000–2400 is not.
    const sparse = (backlogFromMs: number) =>
      history
        .filter((w) => w.invokeMs % 20 === 0)
        .map((w) => (w.invokeMs >= backlogFromMs && w.invokeMs < backlogFromMs + 400 ? { ...w, completeMs: w.invokeMs + 120 } : w.invokeMs < 5000 ? { ...w, completeMs: w.invokeMs + 2 } : w));
    assert.equal(measure(input(sparse(3200))).precision?.queueMs, 59);
    assert.equal(measure(input(sparse(2000))).precision?.queueMs ?? 0, 0);
  });

  it("a queued write's ack places recovery between ack − p99 and ack − the shortest latency before the fault: the middle, ± half in the precision", () => {
    // Before the fault writes take 2 ms, every 50th 102 ms (p99 = 102, shortest 2); after a freeze from 5000
    // to 7300 the queued writes come back at 7330, 30 ms after the thaw (a loaded host's p99 overstates it).
    const history = gen(0, 12_000, 2, () => 'ok').map((w) => {
      if (w.invokeMs < 5000) return w.id % 50 === 0 ? { ...w, completeMs: w.invokeMs + 102 } : { ...w, completeMs: w.invokeMs + 2 };
      if (w.invokeMs < 6300) return { ...w, completeMs: w.invokeMs + 1000, outcome: 'unknown' as const };
      if (w.invokeMs < 7300) return { ...w, completeMs: 7330 };
      return w;
    });
    const m = measure(input(history));
    // [7330 − 102, 7330 − 2] = [7228, 7328]: recovered at 7278 ± 50 (+ the send gap, timer, fault bound).
    assert.equal(m.recoveredAtMs, 7278);
    assert.equal(m.precision?.queueMs, 50);
    assert.ok(Math.abs(m.recoveredAtMs - 7300) <= m.precisionMs, `the thaw at 7300 lies outside ${m.recoveredAtMs} ± ${m.precisionMs}`);
    const sumMs = m.precision.gapMs + m.precision.timerResolutionMs + m.precision.injectMs + 50;
    assert.ok(m.precisionMs >= sumMs && m.precisionMs - sumMs < 0.1, `precision ${m.precisionMs} ms vs its parts ${sumMs} ms`);
    assert.ok(
      m.notes.some((n) => /between p99 and the shortest, 2 ms: ± 50 ms in the precision/.test(n)),
      m.notes.join(' | '),
    );
  });

  it('failures before the fault are noted, not folded into downtime', () => {
    const m = measure(input(gen(0, 12_000, 2, (t) => ((t >= 1000 && t < 1010) || (t >= 5000 && t < 7300) ? 'fail' : 'ok'))));
    assert.equal(m.failuresBeforeFault, 5);
    assert.equal(m.downtimeMs, 2300);
    assert.ok(m.notes.some((n) => /5 writes failed before the fault/.test(n)));
  });

  it('writes in flight at the fault are counted apart', () => {
    const history = gen(0, 12_000, 2, (t) => (t >= 4990 && t < 7300 ? 'unknown' : 'ok'), 20);
    const m = measure(input(history));
    assert.equal(m.inFlightAtFault, 5);
    assert.equal(m.failuresBeforeFault, 0);
    assert.equal(m.firstFailureAtMs, 5000);
  });

  it('precision grows with the gap before the recovering write', () => {
    // writes every 2 ms except a silence 6900–7300
    const history = gen(0, 12_000, 2, (t) => (t >= 5000 && t < 7300 ? 'fail' : 'ok')).filter((w) => w.invokeMs < 6900 || w.invokeMs >= 7300);
    const m = measure(input(history));
    assert.equal(m.recoveredAtMs, 7300);
    assert.equal(m.precision?.gapMs, 402);
    assert.equal(m.precisionMs, 403.5);
  });

  it('empty history, and no fault at all', () => {
    const empty = measure(input([]));
    assert.equal(empty.totalWrites, 0);
    assert.equal(empty.rtoMs, null);
    assert.equal(empty.latencyMs, null);
    assert.ok(empty.notes.some((n) => /no write was sent after the fault/.test(n)));
    const noFault = measure(
      input(
        gen(0, 1000, 2, () => 'ok'),
        { faults: [] },
      ),
    );
    assert.equal(noFault.faultAtMs, null);
    assert.equal(noFault.rtoMs, null);
    assert.ok(noFault.notes.some((n) => /no fault was injected/.test(n)));
  });

  it('t_fault is the earliest fault; an unsorted history gives the same answer', () => {
    const history = gen(0, 12_000, 2, (t) => (t >= 5000 && t < 7300 ? 'fail' : 'ok'));
    const shuffled = history.slice().reverse();
    const later: FaultRecord = { ...FAULT, injectedAtMs: 9000, injectReturnedAtMs: 9000.5 };
    const m = measure(input(shuffled, { faults: [later, FAULT] }));
    assert.equal(m.faultAtMs, 5000);
    assert.equal(m.rtoMs, 2300);
    assert.ok(m.notes.some((n) => /2 faults were injected/.test(n)));
    assert.equal(shuffled[0]!.invokeMs, 11_998, 'input not mutated');
  });

  it('latency p50/p99/max of ok writes', () => {
    const history = gen(0, 1000, 1, () => 'ok').map((w, i) => ({ ...w, completeMs: w.invokeMs + (i + 1) }));
    const m = measure(input(history, { faults: [] }));
    assert.deepEqual(m.latencyMs, { p50: 500, p99: 990, max: 1000 });
  });

  it('1M writes in well under the time budget', () => {
    const n = 1_000_000;
    const history: WriteRecord[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = i * 0.1;
      const outcome: WriteOutcome = t >= 50_000 && t < 52_000 ? 'fail' : 'ok';
      history[i] = { id: i + 1, scheduledMs: t, invokeMs: t, completeMs: t + 0.5 + (i % 7) * 0.1, outcome };
    }
    const present = new Set<number>();
    for (const w of history) if (w.outcome === 'ok' && w.id % 100_000 !== 0) present.add(w.id);
    const started = performance.now();
    const m = measure(input(history, { faults: [{ ...FAULT, injectedAtMs: 49_990, injectReturnedAtMs: 49_990.2 }], presentIds: present }));
    const tookMs = performance.now() - started;
    assert.equal(m.totalWrites, n);
    assert.equal(m.recoveredAtMs, 52_000);
    assert.equal(m.lostWrites, 10); // every multiple of 100k was acked (none falls in the failed range) and is missing
    assert.ok(tookMs < 4000, `took ${tookMs} ms`);
  });
});
