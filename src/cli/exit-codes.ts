// Exit codes CI can act on. Documented in the README; keep the two in step.
export const EXIT = {
  ok: 0, // every objective met
  objectiveMissed: 1,
  usage: 2, // invalid drill file or command line
  infra: 3, // infrastructure error, or the run was aborted by a stop condition
  sigint: 130,
  sigterm: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
