import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BackupLayerResult } from '../../src/layers/result.js';
import type { ResultJson } from '../../src/report/result.js';
import { docker } from './helpers.js';

// What the restore tests read for themselves, independently of drill's measurement: writes.csv (every
// write drill sent, with its outcome) and the restored node's table through its own client.

export interface Write {
  id: number;
  invokeMs: number;
  completeMs: number;
  ok: boolean;
}

/** writes.csv of a run (the declared load), or another history in its format (probe-writes.csv). */
export async function writesOf(resultPath: string, file = 'writes.csv'): Promise<Write[]> {
  const rows = (await readFile(path.join(path.dirname(resultPath), file), 'utf8')).trim().split('\n').slice(1);
  return rows.map((r) => {
    const [id, invokeMs, completeMs, outcome] = r.split(',');
    return { id: Number(id), invokeMs: Number(invokeMs), completeMs: Number(completeMs), ok: outcome === 'ok' };
  });
}

export interface Read {
  invokeMs: number;
  completeMs: number;
  outcome: string;
  /** The key's version read (a write id), null when not found or not ok. */
  version: number | null;
}

/** reads.csv of a run (load.reads): every read drill sent, with its outcome and the version it found. */
export async function readsOf(resultPath: string): Promise<Read[]> {
  const rows = (await readFile(path.join(path.dirname(resultPath), 'reads.csv'), 'utf8')).trim().split('\n').slice(1);
  return rows.map((r) => {
    const [, , invokeMs, completeMs, outcome, version] = r.split(',');
    return { invokeMs: Number(invokeMs), completeMs: Number(completeMs), outcome: outcome!, version: version ? Number(version) : null };
  });
}

/** drill.writes on a node, read directly; null when the table is not there. */
export function directIds(container: string): Set<number> | null {
  const tables = execFileSync('docker', ['exec', container, 'mariadb', '-N', '-B', '-e', 'SHOW TABLES IN drill'], { encoding: 'utf8' });
  if (!tables.split('\n').includes('writes')) return null;
  const out = execFileSync('docker', ['exec', container, 'mariadb', '-N', '-B', '-e', 'SELECT id FROM drill.writes'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return new Set(out.split('\n').filter(Boolean).map(Number));
}

export function backupLayer(result: ResultJson): BackupLayerResult {
  const l = (result.layers ?? [])[0] as BackupLayerResult | undefined;
  assert.equal(l?.kind, 'backup');
  return l;
}

export async function exists(name: string): Promise<boolean> {
  return docker
    .getContainer(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

/**
 * The writes an archive-based restore lost, recounted from writes.csv and a direct read of the restored
 * node. The binlog archive streams asynchronously, so a commit acknowledged in the last moments before
 * the primary's destroy may be missing (docs/backup-restore.md): each lost write must have been
 * acknowledged no earlier than the declared RPO before the fault, and drill must count the same ones.
 */
export function assertArchiveLoss(result: ResultJson, writes: readonly Write[], restored: ReadonlySet<number>): void {
  const faultAtMs = result.measured!.faultAtMs!;
  const rpo = result.objectives.find((o) => o.name === 'rpoMs');
  assert.ok(rpo && typeof rpo.declared === 'number', 'the drill declares an RPO');
  const lost = writes.filter((w) => w.ok && !restored.has(w.id));
  const early = lost.filter((w) => w.completeMs < faultAtMs - rpo.declared);
  assert.deepEqual(
    early.map((w) => `${w.id}@${w.completeMs}`),
    [],
    `lost writes acknowledged more than ${rpo.declared} ms before the fault at ${faultAtMs} ms`,
  );
  assert.equal(result.measured!.lostWrites, lost.length, 'drill counts the same lost writes as a direct read');
}
