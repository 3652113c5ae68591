import { fastPlan, type FastPlan } from './cli-fast-path.js';
import { handleError } from './handle-error.js';

// The CLI is a thin layer over the programmatic API. Commands set process.exitCode and return, so pino
// and pending writes flush before the process ends (only the signal watchdog exits by force). Each
// command's module is imported when that command runs: `drill --help` and `drill validate` do not load
// the engine, load or database clients, and the commonest invocations do not load yargs either.

async function runFast(plan: FastPlan): Promise<void> {
  switch (plan.kind) {
    case 'help':
      process.stdout.write((await import('./help-text.js')).HELP_TEXT);
      return;
    case 'version':
      process.stdout.write(`${(await import('./package-version.js')).packageVersion()}\n`);
      return;
    case 'validate':
      return (await (await import('./validate-loader.js')).loadValidateCommand()).validateCommand({ files: plan.files, json: plan.json });
    default: {
      const unknown: never = plan;
      throw new Error(`unknown fast plan ${JSON.stringify(unknown)}`);
    }
  }
}

/** Run drill with these arguments (without `node` and the script); `fastPath: false` always asks yargs. */
export async function runCli(args: string[], opts: { fastPath: boolean }): Promise<void> {
  try {
    const plan = opts.fastPath ? fastPlan(args, process.env, process.stdout.columns) : undefined;
    if (plan) await runFast(plan);
    else await (await import('./yargs-cli.js')).runYargsCli(args);
  } catch (error) {
    await handleError(error);
  }
}
