import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { redact } from './redact.js';
import { writeStderr } from './status-line.js';

// Logs go to stderr so stdout stays free for the `--json` summary. Pretty on a TTY, JSON lines otherwise
// (CI, pipes). Every line passes through the secret redactor and is written synchronously: the runner is
// short-lived and must not lose its last lines when it exits. A live progress line (status-line.ts) stays
// below them, whole.
export type { Logger };

function stderrRedacted(): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      writeStderr(redact(String(chunk)));
      done();
    },
  });
}

export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const level = opts.level ?? process.env.DRILL_LOG_LEVEL ?? 'info';
  const pretty = opts.pretty ?? process.stderr.isTTY;
  if (pretty) {
    // pino-pretty is CommonJS and only a terminal needs it: load it on demand.
    const prettyFactory = createRequire(import.meta.url)('pino-pretty') as (o: object) => NodeJS.WritableStream;
    return pino({ level }, prettyFactory({ destination: stderrRedacted(), sync: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino({ level }, stderrRedacted());
}

/** --quiet: warnings and errors only, unless the level asked for is quieter still. */
export function quietLevel(level: string): string {
  return ['trace', 'debug', 'info'].includes(level) ? 'warn' : level;
}
