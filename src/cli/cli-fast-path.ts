// The commonest invocations without yargs (issue 21: its import and set-up are ~110 ms of a start that
// should stay under 250 ms). Only argument lists whose meaning is beyond doubt are taken; anything else
// (another command, any other flag, a file name that starts with "-", `--`, a repeated flag, an
// environment that changes yargs' output) goes to yargs, which gives the same result as always.
// test/unit/cli-fast-path.test.ts runs each case both ways and compares output and exit code.

export type FastPlan = { kind: 'help' } | { kind: 'version' } | { kind: 'validate'; files: string[]; json: boolean };

/** What yargs's help would be printed in, from the same variables it reads (its guessLocale). */
function yargsLocale(env: NodeJS.ProcessEnv): string {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE || 'en_US';
  return locale.replace(/[.:].*/, '');
}

/** Locales in which yargs prints its help in English (C and POSIX have no translation: English). */
const ENGLISH_LOCALE = /^(C|POSIX|en(_[A-Za-z]+)?)$/;

/**
 * The stored `drill --help` text is the one yargs prints in English, wrapped at 80 columns (what it does
 * on a pipe or a terminal at least that wide), with --log-level's default "info".
 */
function storedHelpApplies(env: NodeJS.ProcessEnv, stdoutColumns: number | undefined): boolean {
  return ENGLISH_LOCALE.test(yargsLocale(env)) && env.DRILL_LOG_LEVEL === undefined && (!stdoutColumns || stdoutColumns >= 80);
}

/** The plan for these arguments (without `node` and the script), or undefined: ask yargs. */
export function fastPlan(args: readonly string[], env: NodeJS.ProcessEnv, stdoutColumns: number | undefined): FastPlan | undefined {
  if (args.length === 1 && args[0] === '--help') return storedHelpApplies(env, stdoutColumns) ? { kind: 'help' } : undefined;
  if (args.length === 1 && args[0] === '--version') return { kind: 'version' };
  if (args[0] !== 'validate') return undefined;
  const rest = args.slice(1);
  const json = rest.filter((a) => a === '--json').length;
  const files = rest.filter((a) => a !== '--json');
  if (json > 1 || files.length === 0 || files.some((f) => f === '' || f.startsWith('-'))) return undefined;
  return { kind: 'validate', files, json: json === 1 };
}
