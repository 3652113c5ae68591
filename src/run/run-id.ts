import { randomBytes } from 'node:crypto';

/** A run id sorts by time and is unique: 20261122T031502Z-3fa9c1. The token names its containers. */
export function newRunId(now = new Date()): { runId: string; token: string } {
  const token = randomBytes(3).toString('hex');
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return { runId: `${stamp}-${token}`, token };
}
