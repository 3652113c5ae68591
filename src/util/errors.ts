// Error kinds that map to exit codes (see cli/exit-codes.ts). Anything else is an infrastructure error.

/** The user's input is wrong: drill file, flags. Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The environment cannot run the drill: no engine, no image, a container that will not start. Exit 3. */
export class InfraError extends Error {
  override readonly name = 'InfraError';
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The run was stopped on purpose (signal, stop condition). */
export class AbortedError extends Error {
  override readonly name = 'AbortedError';
  constructor(
    message: string,
    readonly signal?: NodeJS.Signals,
  ) {
    super(message);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
