import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultContext } from '../../src/faults/plugin.js';
import { timeBox } from '../../src/faults/time-box.js';
import type { TimelineEvent } from '../../src/measure/types.js';
import { createRunClock } from '../../src/util/clock.js';
import { createLogger } from '../../src/util/log.js';

// The time box of every fault, with a fake context (no engine): when the self-heal fires, what a heal
// reports, and what happens when an undo fails.

function fakeContext(): { ctx: FaultContext; notes: TimelineEvent[] } {
  const notes: TimelineEvent[] = [];
  const ctx = {
    clock: createRunClock(),
    log: createLogger({ level: 'silent', pretty: false }),
    note: (e: TimelineEvent) => notes.push(e),
  } as unknown as FaultContext;
  return { ctx, notes };
}

const until = async (cond: () => boolean, timeoutMs = 5000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('fault time box', () => {
  it('counts the duration from the moment the effect is in place, not from the start of a slow install', async () => {
    const { ctx, notes } = fakeContext();
    // The install took 400 ms (t_fault 400 ms ago, in effect now); the duration is 300 ms.
    const returnedAtMs = ctx.clock.nowMs();
    const fault = timeBox(
      ctx,
      { kind: 'partition', target: 't', container: 'c', durationMs: 300 },
      { injectedAtMs: returnedAtMs - 400, injectReturnedAtMs: returnedAtMs, undo: () => Promise.resolve('open again 1') },
    );
    await until(() => fault.record.healReturnedAtMs !== undefined);
    const healedAfterMs = fault.record.healedAtMs! - returnedAtMs;
    assert.ok(healedAfterMs >= 300, `healed ${healedAfterMs} ms after the effect began (duration 300 ms)`);
    assert.equal(fault.record.healVerified, 'open again 1');
    const heal = notes.find((n) => n.marker === 'heal');
    assert.ok(heal, 'no heal note');
    assert.match(heal.message, /healed partition of c \(after 300 ms, \d+ ms\): open again 1/);
    assert.equal(heal.atMs, fault.record.healedAtMs);
  });

  it('heals once however often heal() is called, and only reports the heal once undo() has returned', async () => {
    const { ctx, notes } = fakeContext();
    let undos = 0;
    let finish: () => void = () => {};
    const undo = () => {
      undos++;
      return new Promise<string>(
        (resolve) =>
          (finish = () => {
            resolve('gone');
          }),
      );
    };
    const now = ctx.clock.nowMs();
    const fault = timeBox(ctx, { kind: 'pause', target: 't', container: 'c', durationMs: undefined }, { injectedAtMs: now, injectReturnedAtMs: now, undo });
    const a = fault.heal();
    const b = fault.heal();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(fault.record.healedAtMs, undefined, 'reported healed before the undo returned');
    assert.equal(notes.length, 0);
    finish();
    await Promise.all([a, b]);
    await fault.heal();
    assert.equal(undos, 1);
    assert.equal(notes.filter((n) => n.marker === 'heal').length, 1);
  });

  it('a failed self-heal is on the timeline and the next heal() tries again', async () => {
    const { ctx, notes } = fakeContext();
    let attempts = 0;
    const undo = () => {
      attempts++;
      if (attempts === 1) return Promise.reject(new Error('path still blocked'));
      return Promise.resolve('open again');
    };
    const now = ctx.clock.nowMs();
    const fault = timeBox(ctx, { kind: 'loss', target: 't', container: 'c', durationMs: 10 }, { injectedAtMs: now, injectReturnedAtMs: now, undo });
    await until(() => notes.some((n) => n.marker === 'heal-error'));
    assert.match(notes.find((n) => n.marker === 'heal-error')!.message, /self-heal of loss \(c\) failed: path still blocked/);
    assert.equal(fault.record.healedAtMs, undefined);
    await fault.heal();
    assert.equal(attempts, 2);
    assert.equal(fault.record.healVerified, 'open again');
  });

  it('a fault with nothing to undo (a kill without duration) never heals', async () => {
    const { ctx, notes } = fakeContext();
    const now = ctx.clock.nowMs();
    const fault = timeBox(ctx, { kind: 'kill', target: 't', container: 'c', durationMs: undefined }, { injectedAtMs: now, injectReturnedAtMs: now + 80, undo: null });
    await fault.heal();
    assert.equal(fault.record.healedAtMs, undefined);
    assert.equal(notes.length, 0);
    assert.equal(fault.record.injectReturnedAtMs - fault.record.injectedAtMs, 80);
  });

  it("a heal that saw when it took effect (a pause's thaw in the freezer) records it, kept inside the call", async () => {
    const { ctx } = fakeContext();
    const now = ctx.clock.nowMs();
    let thawMs = 0;
    const fault = timeBox(
      ctx,
      { kind: 'pause', target: 't', container: 'c', durationMs: undefined },
      {
        injectedAtMs: now,
        injectReturnedAtMs: now + 1,
        undo: async () => {
          await new Promise((r) => setTimeout(r, 20));
          thawMs = ctx.clock.nowMs();
          await new Promise((r) => setTimeout(r, 20));
          return { fromMs: thawMs - 0.5, byMs: thawMs + 0.5 };
        },
      },
    );
    await fault.heal();
    const { healedAtMs, healReturnedAtMs, healFromMs, healByMs } = fault.record;
    assert.equal(healFromMs, thawMs - 0.5);
    assert.equal(healByMs, thawMs + 0.5);
    assert.ok(healedAtMs! < healFromMs && healByMs < healReturnedAtMs!);
    assert.equal(fault.record.healVerified, undefined);
  });
});
