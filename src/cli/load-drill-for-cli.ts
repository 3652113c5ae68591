import { DrillFileError, loadDrillFile, type LoadedDrill } from '../spec/load-drill.js';
import { UsageError } from '../util/errors.js';

/** A drill file for a command: a bad file is a usage error (exit 2, its message names file, line and path). */
export async function loadDrillForCli(file: string): Promise<LoadedDrill> {
  try {
    return await loadDrillFile(file);
  } catch (error) {
    if (error instanceof DrillFileError) throw new UsageError(error.message);
    throw error;
  }
}
