import { EXIT } from './exit-codes.js';
import { InfraError, UsageError, errorMessage } from '../util/errors.js';

/** What a command threw, as the user sees it: a usage error on one line (exit 2), anything else logged (exit 3). */
export async function handleError(error: unknown): Promise<void> {
  const log = (await import('../util/log.js')).createLogger();
  if (error instanceof UsageError) {
    process.stderr.write(`drill: ${error.message}\n`);
    process.exitCode = EXIT.usage;
  } else if (error instanceof InfraError) {
    log.error(error.hint ? { hint: error.hint } : {}, error.message);
    process.exitCode = EXIT.infra;
  } else {
    log.error({ err: error instanceof Error ? error.stack : errorMessage(error) }, `unexpected error: ${errorMessage(error)}`);
    process.exitCode = EXIT.infra;
  }
}
