import { writeSync } from 'node:fs';

// One live status line at the bottom of stderr (a terminal), and every other stderr write above it. Log
// lines and the status line share fd 2; writing both through here keeps the line whole: a log line clears
// it, takes its place and the line is drawn again under it, in one write so the terminal never shows half.
// Writes are synchronous, as the logger's are: the last lines must be out before the process exits.

/** Carriage return + erase the whole line (ECMA-48 EL 2): the cursor ends at column 0 of an empty line. */
export const CLEAR_LINE = '\r\x1b[2K';

let shown: string | null = null;
let exitHooked = false;

/** Text for stderr (a log line): above the status line when one is shown. */
export function writeStderr(text: string): void {
  if (shown === null) {
    writeAll(text);
    return;
  }
  writeAll(`${CLEAR_LINE}${text}${text.endsWith('\n') ? '' : '\n'}${shown}`);
}

/** Show (or replace) the status line. The caller makes sure stderr is a terminal and the text fits one row. */
export function showStatusLine(text: string): void {
  if (!exitHooked) {
    // Every way out (the watchdog's process.exit, an uncaught error) leaves the terminal on a fresh line.
    process.on('exit', clearStatusLine);
    exitHooked = true;
  }
  shown = text;
  writeAll(`${CLEAR_LINE}${text}`);
}

/** Remove the status line, if shown; the cursor stays at the start of the now empty row. */
export function clearStatusLine(): void {
  if (shown === null) return;
  shown = null;
  writeAll(CLEAR_LINE);
}

function writeAll(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  let busy = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(2, bytes, offset, bytes.length - offset);
    } catch (error) {
      // A non-blocking terminal that is momentarily full: try again a few times, then drop the rest
      // rather than fail the run over a log line.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++busy > 1000) return;
    }
  }
}
