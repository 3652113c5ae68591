// The known outages of bench/precision, each a short drill on the Redis Sentinel stack where no failover
// can happen (down-after far longer than the outage), so the outage is the fault itself.

export type ScenarioKind = 'pause' | 'kill' | 'partition';

export interface Scenario {
  name: string;
  kind: ScenarioKind;
  /** The fault's declared duration: the freeze, the time the app stays dead, the partition. */
  faultMs: number;
  /** In words, for the printout. */
  what: string;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'pause-0.5s', kind: 'pause', faultMs: 500, what: 'freeze the Redis master 0.5 s' },
  { name: 'pause-1.3s', kind: 'pause', faultMs: 1300, what: 'freeze the Redis master 1.3 s' },
  { name: 'pause-2.7s', kind: 'pause', faultMs: 2700, what: 'freeze the Redis master 2.7 s' },
  { name: 'kill-app', kind: 'kill', faultMs: 1000, what: 'SIGKILL the app, start it again after 1 s' },
  { name: 'partition-db', kind: 'partition', faultMs: 1000, what: 'cut the app off the Redis master 1 s, heal' },
];

/**
 * The app's Redis command timeout in a scenario's drill (DRILL_APP_COMMAND_TIMEOUT_MS): a write that hangs
 * longer fails. Half the fault at most: a freeze shorter than the timeout fails no write and is a latency
 * spike, not downtime. The app's default (500 ms) otherwise: a shorter one fails writes on a loaded host.
 */
export const appCommandTimeoutMs = (s: Scenario): number => Math.min(500, Math.floor(s.faultMs / 2));

const RATE = 300;
const FAULT_AT_MS = 1000;
/** After the fault: its heal, the `stable` window (1 s) and room for a late reconnect. */
const TAIL_MS = 3500;

function faultStep(s: Scenario): string {
  if (s.kind === 'pause') return `  - { at: ${FAULT_AT_MS}ms, fault: pause, target: primary, duration: ${s.faultMs}ms }`;
  if (s.kind === 'kill') return `  - { at: ${FAULT_AT_MS}ms, fault: kill, target: app, duration: ${s.faultMs}ms }`;
  return `  - { at: ${FAULT_AT_MS}ms, fault: partition, groups: [[primary], [apps]], duration: ${s.faultMs}ms }`;
}

/** The drill file of one run; `drillName` is unique per run so the benchmark can follow its containers' events. */
export function scenarioYaml(s: Scenario, drillName: string): string {
  const downAfterMs = Math.max(5000, s.faultMs * 4);
  return [
    `name: ${drillName}`,
    `description: bench/precision, ${s.what}; no failover can happen, so the outage is the fault itself.`,
    'stack:',
    '  kind: redis-sentinel',
    '  replicas: 1',
    '  sentinels: 1',
    `  sentinel: { downAfter: ${downAfterMs}ms, failoverTimeout: ${downAfterMs * 2}ms }`,
    // Hanging writes hold a connection for up to the app's command timeout: enough for all of them.
    // The probe stream finds the outage's edges (docs/design.md "Probe stream"): drill's best measurement.
    `load: { rate: ${RATE}, connections: ${Math.ceil((RATE * appCommandTimeoutMs(s)) / 1000) + 32}, timeout: 1s, warmup: 1s, duration: ${FAULT_AT_MS + s.faultMs + TAIL_MS}ms, probe: true }`,
    'steps:',
    faultStep(s),
    '  - { waitFor: recovered, timeout: 20s }',
    '',
  ].join('\n');
}
