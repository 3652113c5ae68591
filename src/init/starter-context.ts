/** What a starter template is filled with. */
export interface StarterContext {
  /** The drill's name. */
  name: string;
  /** The editor's schema line and a blank comment line, or "" (each template starts with its own comment). */
  header: string;
}

/** The load block every starter has, commented the same way; only the figures differ by stack. */
export function loadSection(load: { rate: number; connections: number; durationS: number }): string {
  const pad = (key: string, value: string) => `  ${`${key}: ${value}`.padEnd(28)}`;
  return `# The write load: open-loop (sent on schedule whatever the answers), each write a unique id, so lost and
# unexpected writes can be counted afterwards. Times in steps are from the end of the warm-up.
load:
${pad('rate', String(load.rate))}# writes per second
${pad('connections', String(load.connections))}# client connections the writes are spread over
${pad('timeout', '1s')}# no answer by then: the write is "unknown" (maybe applied, maybe not)
${pad('warmup', '3s')}# load before the clock starts, to reach steady state; not measured
${pad('duration', `${load.durationS}s`)}# measured load after the warm-up; every fault must fall inside it
`;
}
