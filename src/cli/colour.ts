import type { Paint, Tone } from '../report/summary-text.js';

// Colour on the terminal: a few ANSI SGR codes, no dependency. Whether a stream gets colour follows the
// common convention (no-color.org, force-color.org, and Node's and chalk's reading of FORCE_COLOR):
// - FORCE_COLOR set: colour even when not a terminal, except FORCE_COLOR=0 or false, which turns it off.
//   It wins over NO_COLOR, as in Node and chalk: it is the more specific, per-invocation wish.
// - NO_COLOR set and not empty (any value): no colour.
// - otherwise colour on a terminal, unless TERM=dumb.

export type ColourEnv = Readonly<Partial<Record<'NO_COLOR' | 'FORCE_COLOR' | 'TERM', string>>>;

export function colourEnabled(env: ColourEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

/** The foreground colour of each tone. */
const TONE_SGR: Record<Tone, string> = {
  good: '32', // green
  bad: '31', // red
  warn: '33', // yellow
  stopped: '35', // magenta
};

/** Paint with ANSI colours when enabled, else the text as it is. Resets only what it set (22: bold off, 39: default colour). */
export function painter(enabled: boolean): Paint {
  if (!enabled) return (_tone, text) => text;
  return (tone, text, bold = false) => `\x1b[${bold ? '1;' : ''}${TONE_SGR[tone]}m${text}\x1b[${bold ? '22;' : ''}39m`;
}

/** Paint for what goes to stdout (the summary) or stderr (the progress line) of this process. */
export function paintFor(stream: NodeJS.WriteStream): Paint {
  return painter(colourEnabled(process.env, stream.isTTY));
}
