import type { LiveRun } from '../run/live-view.js';
import type { Paint } from '../report/summary-text.js';
import { clearStatusLine, showStatusLine, writeStderr } from '../util/status-line.js';
import { assertNever } from '../util/assert-never.js';
import { renderNotice, renderProgressLine } from './progress-line.js';
import { NO_MEMORY, readSnapshot, type ProgressMemory } from './progress-state.js';

// The progress of a run on stderr, read from the run's live view on a timer:
// - live: one line that updates in place about four times a second (a terminal; log lines go above it);
// - plain: one line per phase start, fault and outage (not a terminal, --quiet, several runs at once);
// - off: nothing.

export type ProgressMode = 'live' | 'plain' | 'off';

/** How often the live line is redrawn (and the run's counters read). */
export const PROGRESS_INTERVAL_MS = 250;
/** When the terminal does not say how wide it is. */
const DEFAULT_COLUMNS = 80;

/**
 * live on a terminal that can erase a line (not TERM=dumb), unless --quiet or the caller cannot show a
 * single line (several runs at once); plain otherwise, and when stderr is no terminal, what the command
 * asks for (`drill schedule` as a service: off, its log says when each run starts and ends).
 */
export function progressMode(opts: { stderrIsTTY: boolean; term: string | undefined; quiet: boolean; singleRun: boolean; notATerminal: 'plain' | 'off' }): ProgressMode {
  if (!opts.stderrIsTTY) return opts.notATerminal;
  return opts.term !== 'dumb' && !opts.quiet && opts.singleRun ? 'live' : 'plain';
}

export interface Progress {
  /** Follow this run (runAndReport's `observe`); a later run replaces it. */
  observe(live: LiveRun): void;
  /** Stop; the live line is erased, leaving the cursor at the start of an empty row. Idempotent. */
  stop(): void;
}

/** Where the progress goes: stderr through the status line (status-line.ts); tests collect it. */
export interface ProgressSink {
  /** A whole line, above the live line if one is shown. */
  line(text: string): void;
  /** Show or replace the live line. */
  status(text: string): void;
  /** Erase the live line. */
  clear(): void;
}

const STDERR: ProgressSink = {
  line: (text) => {
    writeStderr(`${text}\n`);
  },
  status: showStatusLine,
  clear: clearStatusLine,
};

export function startProgress(opts: { mode: ProgressMode; prefix: string; paint: Paint; columns: () => number | undefined; intervalMs?: number; sink?: ProgressSink }): Progress {
  const sink = opts.sink ?? STDERR;
  let live: LiveRun | null = null;
  let memory: ProgressMemory = NO_MEMORY;
  let timer: NodeJS.Timeout | undefined;

  const tick = () => {
    if (!live) return;
    let read;
    try {
      read = readSnapshot(memory, live.snapshot());
    } catch {
      // A display must never end a run: a read that fails shows nothing this time.
      return;
    }
    memory = read.memory;
    switch (opts.mode) {
      case 'live':
        sink.status(renderProgressLine(read.view, opts.columns() || DEFAULT_COLUMNS, opts.paint));
        return;
      case 'plain':
        for (const notice of read.notices) sink.line(renderNotice(notice, opts.prefix));
        return;
      case 'off':
        return;
      default:
        assertNever(opts.mode, 'progress mode');
    }
  };

  return {
    observe(next) {
      if (opts.mode === 'off') return;
      live = next;
      memory = NO_MEMORY;
      tick();
      if (!timer) {
        timer = setInterval(tick, opts.intervalMs ?? PROGRESS_INTERVAL_MS);
        // The display never keeps the process alive.
        timer.unref();
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      // Plain: what happened since the last read (teardown, the reports) still gets its lines.
      if (opts.mode === 'plain') tick();
      live = null;
      if (opts.mode === 'live') sink.clear();
    },
  };
}

/** The progress of `drill run` / one scheduled run on this process's stderr. */
export function progressOnStderr(opts: { quiet: boolean; singleRun: boolean; notATerminal: 'plain' | 'off'; prefix: string; paint: Paint }): Progress {
  const mode = progressMode({ stderrIsTTY: process.stderr.isTTY, term: process.env.TERM, quiet: opts.quiet, singleRun: opts.singleRun, notATerminal: opts.notATerminal });
  return startProgress({ mode, prefix: opts.prefix, paint: opts.paint, columns: () => process.stderr.columns });
}
