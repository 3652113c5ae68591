import { z } from 'zod';
import { duration } from './duration.js';

// The drill file format. This zod schema is the single source of truth: the TypeScript types, the
// validation and the published JSON Schema (drill.schema.json, `npm run schema`) all come from it.

const sentinelTimings = z
  .strictObject({
    downAfter: duration({ minMs: 100 }).default(1000).describe('down-after-milliseconds: how long a master must be unreachable before a Sentinel calls it down'),
    failoverTimeout: duration({ minMs: 1000 }).default(5000).describe('failover-timeout: how long a failover may take before another Sentinel may retry it'),
    parallelSyncs: z.int().min(1).max(16).default(1).describe('parallel-syncs: replicas reconfigured to the new master at the same time'),
  })
  .describe('Sentinel timings. Redis defaults (30 s, 180 s) are far too slow for a drill, so drill sets these.')
  .transform((t) => ({ downAfterMs: t.downAfter, failoverTimeoutMs: t.failoverTimeout, parallelSyncs: t.parallelSyncs }));

const redisSentinelStack = z.strictObject({
  kind: z.literal('redis-sentinel').describe('Redis master + replicas, monitored and failed over by Redis Sentinel'),
  replicas: z.int().min(1).max(5).default(1).describe('Redis replicas of the master'),
  sentinels: z.int().min(1).max(7).default(3).describe('Sentinel processes (an odd number: 3 tolerates one Sentinel failure)'),
  quorum: z.int().min(1).max(7).optional().describe('Sentinels that must agree the master is down; default: a majority'),
  sentinel: sentinelTimings.prefault({}),
  image: z.string().min(1).optional().describe('Redis image to use instead of the offline-built one, e.g. "redis:7" where a registry is reachable'),
  redisConfig: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case redis.conf directive name such as "min-replicas-to-write"'), z.union([z.string(), z.number()]))
    .default({})
    .describe('Extra redis.conf directives for master and replicas, e.g. { "min-replicas-to-write": 1 }'),
});

export const stackSchema = z.discriminatedUnion('kind', [redisSentinelStack]).describe('The system under test, started in containers for the drill and removed after it');

const target = z.enum(['primary']).describe('Role resolved at run time from the stack itself (Sentinel for Redis)');

const killFaultStep = z.strictObject({
  at: duration().describe('When to inject, from the end of warm-up'),
  fault: z.literal('kill').describe('Kill the target\'s process (its container\'s main process) with `signal`'),
  target,
  signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']).default('SIGKILL').describe('SIGKILL: no clean shutdown; SIGTERM/SIGINT/SIGQUIT let Redis shut down its own way'),
}).describe('A fault step: inject a fault at a given time').transform((s) => ({ kind: 'fault' as const, atMs: s.at, fault: s.fault, target: s.target, signal: s.signal }));

const waitForRecoveredStep = z.strictObject({
  waitFor: z.literal('recovered').describe('Wait until writes have recovered (ok again for the whole measure.stable window)'),
  timeout: duration({ minMs: 1000 }).default(60_000).describe('Give up (the drill fails its RTO) if writes have not recovered by then'),
}).describe('A wait step: block the scenario until a condition holds').transform((s) => ({ kind: 'waitFor' as const, condition: s.waitFor, timeoutMs: s.timeout }));

export const stepSchema = z.union([killFaultStep, waitForRecoveredStep]);

export const loadSchema = z.strictObject({
  rate: z.int().min(1).max(20_000).describe('Writes per second, open-loop (sent on schedule whatever the responses)'),
  connections: z.int().min(1).max(512).default(16).describe('Client connections the writes are spread over'),
  timeout: duration({ minMs: 1000, maxMs: 60_000 }).default(1000).describe('A write with no answer by then is "unknown" (autocannon cannot go below 1 s)'),
  warmup: duration().default(3000).describe('Load before the run clock starts (time 0), to reach steady state; not measured'),
  duration: duration({ minMs: 1000 }).describe('Load time after warm-up; every fault step must fall inside it'),
}).describe('The write load: open-loop, each write a unique id so lost and unexpected writes can be counted').transform((l) => ({ rate: l.rate, connections: l.connections, timeoutMs: l.timeout, warmupMs: l.warmup, durationMs: l.duration }));

export const objectivesSchema = z
  .strictObject({
    rto: duration().optional().describe('Max time from the fault to stable recovery of writes'),
    downtime: duration().optional().describe('Max time from the first failed write to stable recovery'),
    lostWrites: z.int().min(0).optional().describe('Max acknowledged writes missing after recovery (0 = RPO zero)'),
    rpo: duration().optional().describe('Max data-loss window: fault time minus the last ack before which nothing was lost'),
    unexpectedWrites: z.int().min(0).default(0).describe('Max ids present that were never acknowledged nor unknown (should be 0: anything else is a bug)'),
  })
  .describe('What the drill must prove. Each one missed is a FAIL and exit code 1.')
  .transform((o) => ({ rtoMs: o.rto, downtimeMs: o.downtime, lostWrites: o.lostWrites, rpoMs: o.rpo, unexpectedWrites: o.unexpectedWrites }));

export const measureSchema = z.strictObject({
  stable: duration({ minMs: 100, maxMs: 60_000 }).default(1000).describe('Recovery = first ok write after which every write in this window succeeded'),
  bucket: duration({ minMs: 10, maxMs: 10_000 }).default(100).describe('Timeline bucket width'),
}).describe('How recovery is measured and the timeline drawn').transform((m) => ({ stableMs: m.stable, bucketMs: m.bucket }));

export const drillSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a name of lower-case letters, digits, ".", "_" or "-", at most 63 characters').describe('Drill name: used in container names, run ids and reports'),
    description: z.string().max(2000).default('').describe('What the drill proves, for the report'),
    stack: stackSchema,
    load: loadSchema,
    steps: z.array(stepSchema).min(1).max(100).describe('The scenario, run in order: fault steps (at least one) and waitFor steps'),
    objectives: objectivesSchema.prefault({}),
    measure: measureSchema.prefault({}),
  })
  .describe('A drill file for drill, the disaster-recovery drill runner');

export type DrillSpec = z.output<typeof drillSchema>;
export type StackSpec = DrillSpec['stack'];
export type RedisSentinelStackSpec = Extract<StackSpec, { kind: 'redis-sentinel' }>;
export type StepSpec = DrillSpec['steps'][number];
export type FaultStepSpec = Extract<StepSpec, { kind: 'fault' }>;
export type WaitStepSpec = Extract<StepSpec, { kind: 'waitFor' }>;
export type MeasureSpec = DrillSpec['measure'];
export type LoadSpec = DrillSpec['load'];
export type ObjectivesSpec = DrillSpec['objectives'];
