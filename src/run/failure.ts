import { engineAddress, engineAnswers } from '../engine/docker-client.js';
import { InfraError, errorMessage } from '../util/errors.js';
import type { RunState } from './run-state.js';

/** What ended the run early goes into the journal; a failure anywhere may really be the engine going away: say that, not the symptom. */
export async function recordFailure(run: RunState, error: unknown): Promise<void> {
  const { journal, log } = run;
  journal.failure = error;
  if (!run.signal.aborted && journal.engineVersion !== null && !(await engineAnswers(run.deps.docker))) {
    journal.failure = new InfraError(
      `the Docker engine at ${engineAddress()} stopped answering during the run (${errorMessage(error)})`,
      'start the engine again; the next `drill run` or `drill cleanup` removes what this run left',
    );
  }
  if (run.signal.aborted) log.warn({ reason: errorMessage(run.signal.reason) }, 'run aborted: healing, tearing down, writing what was measured');
  else log.error({ err: errorMessage(error) }, 'run failed');
}
