import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateObjectives, verdictOf } from '../../src/measure/objectives.js';
import type { Measured } from '../../src/measure/types.js';
import type { ObjectivesSpec } from '../../src/spec/schema.js';

const objectives = (o: Partial<ObjectivesSpec>): ObjectivesSpec => ({
  rtoMs: undefined,
  downtimeMs: undefined,
  lostWrites: undefined,
  rpoMs: undefined,
  unexpectedWrites: 0,
  availability: undefined,
  ...o,
});

function measured(over: Partial<Measured> = {}): Measured {
  return {
    totalWrites: 1000,
    ackedWrites: 900,
    failedWrites: 100,
    unknownWrites: 0,
    lostWrites: 0,
    recoveredWrites: 0,
    unexpectedWrites: 0,
    rtoMs: 2300,
    downtimeMs: 2200,
    rpoMs: 0,
    precisionMs: 3.5,
    faultAtMs: 5000,
    firstFailureAtMs: 5100,
    recoveredAtMs: 7300,
    notes: [],
    lost: { firstIds: [], ackSpanMs: null, ackedAfterFault: 0 },
    unexpectedIds: [],
    recoveredIds: [],
    latencyMs: null,
    ...over,
  };
}

describe('evaluateObjectives / verdictOf', () => {
  it('only declared objectives, in a fixed order, pass when measured ≤ declared', () => {
    const r = evaluateObjectives(objectives({ rtoMs: 5000, lostWrites: 0 }), measured());
    assert.deepEqual(r, [
      { name: 'rtoMs', declared: 5000, measured: 2300, met: true, state: 'met', unit: 'ms', precisionMs: 3.5 },
      { name: 'lostWrites', declared: 0, measured: 0, met: true, state: 'met', unit: 'writes' },
      { name: 'unexpectedWrites', declared: 0, measured: 0, met: true, state: 'met', unit: 'writes' },
    ]);
    assert.equal(verdictOf(r), 'pass');
  });

  it('fails when a value exceeds its objective; equal is met', () => {
    const r = evaluateObjectives(objectives({ rtoMs: 2000, downtimeMs: 2200, lostWrites: 5, rpoMs: 100 }), measured({ lostWrites: 6, rpoMs: 100 }));
    assert.deepEqual(
      r.map((o) => [o.name, o.met]),
      [
        ['rtoMs', false],
        ['downtimeMs', true],
        ['lostWrites', false],
        ['rpoMs', true],
        ['unexpectedWrites', true],
      ],
    );
    assert.equal(verdictOf(r), 'fail');
  });

  it('a declared objective that could not be measured is not met (the verdict fails) and says why: state not-measured, not missed', () => {
    const never = evaluateObjectives(objectives({ rtoMs: 60_000 }), measured({ rtoMs: null, recoveredAtMs: null }));
    assert.equal(never[0]!.measured, null);
    assert.equal(never[0]!.met, false);
    assert.equal(never[0]!.state, 'not-measured');
    assert.match(never[0]!.why ?? '', /had not recovered/);
    assert.equal(verdictOf(never), 'fail');
    const unread = evaluateObjectives(objectives({ lostWrites: 0 }), measured({ lostWrites: null, unexpectedWrites: null }));
    assert.deepEqual(
      unread.map((o) => o.met),
      [false, false],
    );
    const none = evaluateObjectives(objectives({ rtoMs: 1000 }), null);
    assert.deepEqual(
      none.map((o) => o.met),
      [false, false],
    );
  });

  it('availability: MTBF / (MTBF + RTO) of this run, met when at least the declared percentage', () => {
    // 90 days between failures, recovered in 2.5 s: 7,776,000 / 7,776,002.5 = 99.99996785 % (worked by hand).
    const mtbfMs = 90 * 86_400_000;
    const [, ok] = evaluateObjectives(objectives({ availability: 99.9999 }), measured({ rtoMs: 2500 }), { mtbfMs });
    assert.deepEqual([ok!.name, ok!.measured, ok!.bound, ok!.unit, ok!.state], ['availability', 99.99996785, 'min', 'percent', 'met']);
    // Seven nines need an RTO under 0.78 s at this MTBF.
    const [, missed] = evaluateObjectives(objectives({ availability: 99.99999 }), measured({ rtoMs: 2500 }), { mtbfMs });
    assert.equal(missed!.state, 'missed');
    const [, equal] = evaluateObjectives(objectives({ availability: 99.99996785 }), measured({ rtoMs: 2500 }), { mtbfMs });
    assert.equal(equal!.met, true, 'equal is met');
    const [, noRto] = evaluateObjectives(objectives({ availability: 99.9 }), measured({ rtoMs: null, recoveredAtMs: null }), { mtbfMs });
    assert.equal(noRto!.state, 'not-measured');
    assert.match(noRto!.why ?? '', /^no RTO: writes had not recovered/);
    const [, noMtbf] = evaluateObjectives(objectives({ availability: 99.9 }), measured({ rtoMs: 2500 }));
    assert.equal(noMtbf!.why, 'no availability.mtbf declared');
  });

  it('no objectives at all is a pass', () => {
    assert.equal(verdictOf([]), 'pass');
  });
});
