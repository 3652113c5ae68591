import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LbVipLayerResult, ResultJson } from '../../src/report/result.js';
import type { runDrillFile } from './helpers.js';

// What the front-door tests (lb*.test.ts) read of a run: the lb-vip layer's result and the nodes' own
// saved logs on the run clock, against which each claim of the layer is checked.

export type Run = Awaited<ReturnType<typeof runDrillFile>>;

export function lbOf(result: ResultJson): LbVipLayerResult {
  const l = result.layers?.find((x) => x.kind === 'lb-vip');
  assert.ok(l, 'no lb-vip layer in result.json');
  return l;
}

export interface LogLine {
  atMs: number;
  /** The LB nodes' stamped lines: what wrote them (keepalived, haproxy, addr, ...); '' for any other line. */
  source: string;
  text: string;
}

/**
 * A node's saved log on the run clock: the LB nodes' stamped lines (`drill-event <epoch µs> <source> ...`)
 * by their stamp, any other line by the engine's timestamp.
 */
export async function savedLog(run: Run, node: string): Promise<LogLine[]> {
  const file = run.result.files?.logs?.find((l) => l.node === node)?.file;
  assert.ok(file, `no saved log of ${node}`);
  const text = await readFile(path.join(path.dirname(run.resultPath), file), 'utf8');
  const origin = run.result.clockOriginEpochMs;
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const stamped = /drill-event (\d+) (\S+) (.*)$/.exec(l);
      if (stamped) return { atMs: Number(stamped[1]) / 1000 - origin, source: stamped[2]!, text: stamped[3]! };
      const [ts = '', ...rest] = l.split(' ');
      return { atMs: Date.parse(ts) - origin, source: '', text: rest.join(' ') };
    });
}

/** The stamped lines only (keepalived, HAProxy, ip monitor on an LB node). */
export async function stampedLog(run: Run, node: string): Promise<LogLine[]> {
  return (await savedLog(run, node)).filter((l) => l.source !== '');
}

export const faultAt = (result: ResultJson): number => result.faults[0]!.effectFromMs ?? result.faults[0]!.injectedAtMs;

export function assertPass(run: Run): void {
  assert.equal(run.result.verdict, 'pass', `${run.result.reason} | ${run.result.measured?.notes.join(' | ')}\n${run.stderr.slice(-2000)}`);
  assert.equal(run.code, 0);
}
