import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

// Logs go to stderr so stdout stays free for the `--json` summary. Pretty on a TTY, JSON lines otherwise
// (CI, pipes). pino-pretty runs in-process and synchronously rather than in a worker thread: the runner
// is short-lived and must not lose its last lines when it exits.
export type { Logger };

export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const level = opts.level ?? process.env.DRILL_LOG_LEVEL ?? 'info';
  const pretty = opts.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    // pino-pretty is CommonJS and only a terminal needs it: load it on demand.
    const prettyFactory = createRequire(import.meta.url)('pino-pretty') as (o: object) => NodeJS.WritableStream;
    return pino({ level }, prettyFactory({ destination: 2, sync: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino({ level }, pino.destination({ fd: 2, sync: true }));
}
