import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteOutcome, WriteRecord } from '../../src/load/history.js';
import { measure } from '../../src/measure/measure.js';
import type { MeasureInput } from '../../src/measure/types.js';

/** Writes every 10 ms from 0 to 10 s, acked 1 ms after sending; outcome by invoke time. */
function gen(outcomeAt: (t: number) => WriteOutcome = () => 'ok'): WriteRecord[] {
  const out: WriteRecord[] = [];
  for (let t = 0, id = 1; t < 10_000; t += 10, id++) out.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + 1, outcome: outcomeAt(t) });
  return out;
}
const idAt = (t: number) => t / 10 + 1;

function run(history: WriteRecord[], present: Set<number> | null, over: Partial<MeasureInput> = {}) {
  return measure({
    history,
    presentIds: present,
    stableMs: 1000,
    bucketMs: 100,
    timerResolutionMs: 1,
    faults: [{ kind: 'kill', target: 'primary', container: 'c1', injectedAtMs: 5000, injectReturnedAtMs: 5001 }],
    ...over,
  });
}

/** Every acked or unknown write present, except those sent at the given times. */
function presentExcept(history: WriteRecord[], missingAt: number[], unknownPresent = false): Set<number> {
  const missing = new Set(missingAt.map(idAt));
  const s = new Set<number>();
  for (const w of history) {
    if (missing.has(w.id)) continue;
    if (w.outcome === 'ok' || (w.outcome === 'unknown' && unknownPresent)) s.add(w.id);
  }
  return s;
}

describe('measure: lost, recovered, unexpected, RPO', () => {
  it('nothing lost: lost 0, RPO 0', () => {
    const h = gen();
    const m = run(h, presentExcept(h, []));
    assert.equal(m.lostWrites, 0);
    assert.equal(m.rpoMs, 0);
    assert.equal(m.unexpectedWrites, 0);
    assert.equal(m.recoveredWrites, 0);
    assert.equal(m.lost.ackSpanMs, null);
    assert.equal(m.lastSafeAckMs, null);
  });

  it('unknown outcomes: present → recovered; absent → not lost', () => {
    const h = gen((t) => (t >= 5000 && t < 5100 ? 'unknown' : 'ok')); // 10 unknown writes
    const present = presentExcept(h, []);
    present.add(idAt(5000));
    present.add(idAt(5050));
    const m = run(h, present);
    assert.equal(m.unknownWrites, 10);
    assert.equal(m.recoveredWrites, 2);
    assert.deepEqual(m.recoveredIds, [idAt(5000), idAt(5050)]);
    assert.equal(m.lostWrites, 0);
    assert.equal(m.unexpectedWrites, 0);
  });

  it('acked writes lost before the fault: RPO = t_fault − last safe ack (by hand)', () => {
    const h = gen();
    // writes sent at 4800, 4810 … 4990 (acked 4801 … 4991) are missing
    const missing = Array.from({ length: 20 }, (_, i) => 4800 + i * 10);
    const m = run(h, presentExcept(h, missing));
    assert.equal(m.lostWrites, 20);
    assert.equal(m.lost.ackedAfterFault, 0);
    assert.deepEqual(m.lost.ackSpanMs, { firstMs: 4801, lastMs: 4991 });
    assert.equal(m.lastSafeAckMs, 4791); // the write sent at 4790
    assert.equal(m.rpoMs, 5000 - 4791);
    assert.deepEqual(m.lost.firstIds[0], { id: idAt(4800), ackMs: 4801, ackAfterFault: false });
    assert.equal(m.lost.firstIds.length, 20);
  });

  it('a surviving write between lost ones does not move the safe point', () => {
    const h = gen();
    const m = run(h, presentExcept(h, [4800, 4820]));
    assert.equal(m.lostWrites, 2);
    assert.equal(m.lastSafeAckMs, 4791);
    assert.equal(m.rpoMs, 209);
    assert.deepEqual(m.lost.ackSpanMs, { firstMs: 4801, lastMs: 4821 });
  });

  it('acked after the fault and missing (split brain): lost and counted, RPO 0, loudly noted', () => {
    const h = gen();
    const m = run(h, presentExcept(h, [5100, 5110]));
    assert.equal(m.lostWrites, 2);
    assert.equal(m.lost.ackedAfterFault, 2);
    assert.equal(m.lastSafeAckMs, 5091);
    assert.equal(m.rpoMs, 0); // max(0, 5000 − 5091)
    assert.ok(m.lost.firstIds.every((w) => w.ackAfterFault));
    assert.ok(
      m.notes.some((n) => /2 of the lost writes were acknowledged after the fault/.test(n)),
      m.notes.join('\n'),
    );
  });

  it('only writes acknowledged after the fault lost, the last safe ack before it: RPO 0, nothing before the fault was lost', () => {
    const h = gen();
    // The write sent at 5000 is acknowledged at 5001, just after the fault; the one acknowledged at 4991 survived.
    const m = run(h, presentExcept(h, [5000]));
    assert.equal(m.lostWrites, 1);
    assert.equal(m.lost.ackedAfterFault, 1);
    assert.equal(m.lastSafeAckMs, 4991);
    assert.equal(m.rpoMs, 0); // not 5000 − 4991: no write acknowledged in (4991, 5000] existed to lose
  });

  it('mixed: lost before and after the fault', () => {
    const h = gen();
    const m = run(h, presentExcept(h, [4500, 6000, 6010]));
    assert.equal(m.lostWrites, 3);
    assert.equal(m.lost.ackedAfterFault, 2);
    assert.equal(m.rpoMs, 5000 - 4491);
    assert.deepEqual(m.lost.ackSpanMs, { firstMs: 4501, lastMs: 6011 });
  });

  it('nothing survived before the first lost write: the loss window starts at the first write', () => {
    const h = gen();
    const m = run(h, presentExcept(h, [0]));
    assert.equal(m.lastSafeAckMs, 0);
    assert.equal(m.rpoMs, 5000);
    assert.ok(m.notes.some((n) => /no acknowledged write survived/.test(n)));
  });

  it('unexpected ids: present but never acked nor unknown (including a definite fail)', () => {
    const h = gen((t) => (t >= 5000 && t < 5100 ? 'fail' : 'ok'));
    const present = presentExcept(h, []);
    present.add(idAt(5020)); // a write the app said failed
    present.add(999_999); // never sent
    const m = run(h, present);
    assert.equal(m.unexpectedWrites, 2);
    assert.deepEqual(m.unexpectedIds, [idAt(5020), 999_999]);
    assert.equal(m.lostWrites, 0);
    assert.ok(m.notes.some((n) => /bug in the system under test or in drill/.test(n)));
  });

  it('presentIds null: data results are null, with a note; the times are still measured', () => {
    const h = gen((t) => (t >= 5000 && t < 6000 ? 'fail' : 'ok'));
    const m = run(h, null);
    assert.equal(m.lostWrites, null);
    assert.equal(m.recoveredWrites, null);
    assert.equal(m.unexpectedWrites, null);
    assert.equal(m.rpoMs, null);
    assert.equal(m.rtoMs, 1000);
    assert.ok(m.notes.some((n) => /could not be read back/.test(n)));
  });

  it('lists are capped, counts are not', () => {
    const h = gen();
    const missing = Array.from({ length: 100 }, (_, i) => 6000 + i * 10);
    const m = run(h, presentExcept(h, missing));
    assert.equal(m.lostWrites, 100);
    assert.equal(m.lost.firstIds.length, 20);
    assert.equal(m.lost.firstIds[0]!.ackMs, 6001);
  });
});
