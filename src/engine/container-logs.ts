import type { Docker } from './docker-client.js';
import type { NodeLog } from '../measure/types.js';
import type { RunClock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { epochMsOfRfc3339 } from '../util/rfc3339.js';

// Every node's container log, read from the engine before teardown removes the containers, with the
// engine's own timestamp on each line (stamped as the daemon reads the line from the container's
// stdout/stderr). Saved with the run as logs/<node>.log and read for the system's own events.

/** Lines asked of the engine per container, and bytes kept: a chatty node cannot fill the disk. */
const TAIL_LINES = 100_000;
const MAX_BYTES = 4 * 1024 * 1024;

export interface LogSource {
  node: string;
  container: string;
  id: string;
}

/**
 * Read each container's log. `sameClock`: the engine runs on this host, so its timestamps go on the run
 * clock; a remote engine's clock is another machine's, so its lines keep no run-clock time. A log that
 * cannot be read is reported through onError, never thrown: teardown goes on.
 */
export async function readContainerLogs(docker: Docker, sources: readonly LogSource[], clock: RunClock, sameClock: boolean, onError: (node: string, why: string) => void): Promise<NodeLog[]> {
  const logs: NodeLog[] = [];
  for (const s of sources) {
    try {
      const raw = await docker.getContainer(s.id).logs({ stdout: true, stderr: true, timestamps: true, follow: false, tail: TAIL_LINES });
      const { text, truncated } = keepTail(demux(raw));
      const lines = text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const { stamp, epochMs, rest } = splitTimestamp(l);
          return { atMs: sameClock && epochMs !== null ? Math.round(clock.fromEpochMs(epochMs) * 10) / 10 : null, stamp, text: rest };
        });
      logs.push({ node: s.node, container: s.container, lines, truncated });
    } catch (error) {
      onError(s.node, errorMessage(error));
    }
  }
  return logs;
}

/**
 * The engine multiplexes stdout and stderr of a container without a TTY into frames: one byte stream
 * type (1 or 2), three zero bytes, a 4-byte big-endian length, the payload. A TTY container's log is raw.
 */
export function demux(buf: Buffer): string {
  const framed = buf.length >= 8 && (buf[0] === 1 || buf[0] === 2) && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!framed) return buf.toString('utf8');
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

function keepTail(text: string): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= MAX_BYTES) return { text, truncated: false };
  const tail = text.slice(-MAX_BYTES);
  return { text: tail.slice(tail.indexOf('\n') + 1), truncated: true };
}

/** "2026-12-02T11:45:01.123456789Z text": the engine's RFC 3339 time (ns digits kept to 0.001 ms) and the line. */
export function splitTimestamp(line: string): { stamp: string; epochMs: number | null; rest: string } {
  const m = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /.exec(line);
  if (!m) return { stamp: '', epochMs: null, rest: line };
  const stamp = m[0].trimEnd();
  return { stamp, epochMs: epochMsOfRfc3339(stamp), rest: line.slice(m[0].length) };
}
