import os from 'node:os';

// Every container, network and helper drill creates carries these labels. Cleanup selects by them and
// by nothing else, so drill never touches what it did not create.
export const LABEL_RUN_ID = 'drill.run-id';
export const LABEL_DRILL = 'drill.drill';
export const LABEL_ROLE = 'drill.role';
/** Owner process, to tell a crashed run's leftovers from a live run's resources. */
export const LABEL_OWNER_PID = 'drill.owner-pid';
export const LABEL_OWNER_HOST = 'drill.owner-host';
export const LABEL_OWNER_STARTED = 'drill.owner-started-ms';
/** Images built by drill (cached; removed only by `drill cleanup --images`). */
export const LABEL_IMAGE_RECIPE = 'drill.image-recipe';

export interface RunIdentity {
  runId: string;
  drillName: string;
}

export function runLabels(run: RunIdentity, role: string): Record<string, string> {
  return {
    [LABEL_RUN_ID]: run.runId,
    [LABEL_DRILL]: run.drillName,
    [LABEL_ROLE]: role,
    [LABEL_OWNER_PID]: String(process.pid),
    [LABEL_OWNER_HOST]: os.hostname(),
    [LABEL_OWNER_STARTED]: String(Date.now()),
  };
}

/** Docker filter matching every resource of one run, or of every run. */
export function runFilter(runId?: string): { label: string[] } {
  return { label: [runId ? `${LABEL_RUN_ID}=${runId}` : LABEL_RUN_ID] };
}
