import { join } from 'node:path';
import type { NodeLog } from '../measure/types.js';
import type { RunFiles } from '../report/result.js';
import { writeFileAtomic } from '../report/write-file-atomic.js';
import { makeDir } from '../util/make-dir.js';
import { redact } from '../util/redact.js';

// logs/<node>.log beside result.json: each node's container log as `docker logs -t` prints it, secrets
// masked. Line n of the file is line n of the journal's NodeLog, which is what an event's `log.line` means.

export const LOGS_DIR = 'logs';

/** A node name as a file name: anything but letters, digits, dot, dash and underscore becomes "_". */
export const logFileOf = (node: string): string => `${LOGS_DIR}/${node.replace(/[^A-Za-z0-9._-]/g, '_')}.log`;

export function renderNodeLog(log: NodeLog): string {
  return log.lines.map((l) => redact(l.stamp ? `${l.stamp} ${l.text}` : l.text)).join('\n') + (log.lines.length ? '\n' : '');
}

/** Write every node's log under dir/logs/; what result.json lists for them. */
export async function writeNodeLogs(dir: string, logs: readonly NodeLog[]): Promise<NonNullable<RunFiles['logs']>> {
  if (logs.length === 0) return [];
  await makeDir(join(dir, LOGS_DIR));
  const written: NonNullable<RunFiles['logs']> = [];
  for (const log of logs) {
    const file = logFileOf(log.node);
    const text = renderNodeLog(log);
    await writeFileAtomic(join(dir, file), text);
    written.push({ node: log.node, container: log.container, file, lines: log.lines.length, bytes: Buffer.byteLength(text), truncated: log.truncated });
  }
  return written;
}
