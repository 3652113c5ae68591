import { z } from 'zod';
import { duration } from './duration.js';

// `stack: { kind: patroni }`: three etcd nodes, Patroni nodes running PostgreSQL 15, and HAProxy routing
// on Patroni's REST API (/primary for writes, /replica for reads). Implemented in src/stacks/patroni/;
// documented in docs/patroni.md.

const wholeSeconds = (ms: number) => ms % 1000 === 0;

const patroniSettings = z
  .strictObject({
    ttl: duration({ minMs: 5000, maxMs: 3_600_000 })
      .default(30_000)
      .describe("ttl: how long the leader key lives in etcd without renewal; a dead leader's lock expires after this (Patroni's default 30 s)"),
    loopWait: duration({ minMs: 1000, maxMs: 600_000 }).default(10_000).describe("loop_wait: the seconds between two runs of each node's HA loop (Patroni's default 10 s)"),
    retryTimeout: duration({ minMs: 1000, maxMs: 600_000 })
      .default(10_000)
      .describe("retry_timeout: how long etcd and PostgreSQL operations are retried before a leader demotes itself (Patroni's default 10 s)"),
    synchronousMode: z.boolean().default(false).describe('synchronous_mode: commits wait for one synchronous standby, and only it may be promoted'),
    synchronousModeStrict: z.boolean().default(false).describe('synchronous_mode_strict: with no synchronous standby left, commits block instead of going asynchronous'),
    failsafeMode: z.boolean().default(false).describe('failsafe_mode: when etcd is unreachable, the leader stays primary as long as every member answers it over the REST API'),
    maximumLagOnFailover: z.int().min(0).default(1_048_576).describe('maximum_lag_on_failover: bytes a replica may be behind and still be promoted'),
  })
  .refine((p) => wholeSeconds(p.ttl) && wholeSeconds(p.loopWait) && wholeSeconds(p.retryTimeout), { error: 'expected whole seconds: Patroni takes ttl, loop_wait and retry_timeout in seconds' })
  .refine((p) => p.loopWait + 2 * p.retryTimeout <= p.ttl, {
    error: "expected loopWait + 2 × retryTimeout ≤ ttl (Patroni's rule: a leader that cannot reach etcd must demote itself before its lock expires and another node takes it)",
  })
  .describe("Patroni's DCS settings (its bootstrap.dcs section), declared in the drill: they decide how fast a failover can be")
  .transform((p) => ({
    ttlMs: p.ttl,
    loopWaitMs: p.loopWait,
    retryTimeoutMs: p.retryTimeout,
    synchronousMode: p.synchronousMode,
    synchronousModeStrict: p.synchronousModeStrict,
    failsafeMode: p.failsafeMode,
    maximumLagOnFailover: p.maximumLagOnFailover,
  }));

const haproxySettings = z
  .strictObject({
    inter: duration({ minMs: 100, maxMs: 60_000 }).default(1000).describe("HAProxy's check interval against each node's REST API"),
    fall: z.int().min(1).max(20).default(2).describe('Failed checks before a node is taken out'),
    rise: z.int().min(1).max(20).default(1).describe('Passed checks before a node is put back'),
  })
  .describe('HAProxy health checks of the Patroni REST API (OPTIONS /primary, OPTIONS /replica)')
  .transform((h) => ({ interMs: h.inter, fall: h.fall, rise: h.rise }));

export const patroniStack = z.strictObject({
  kind: z.literal('patroni').describe('PostgreSQL 15 under Patroni with a three-node etcd cluster, HAProxy routing writes to the leader by its REST API; Patroni fails over by itself'),
  nodes: z.int().min(2).max(5).default(3).describe('Patroni nodes (pg-1 … pg-N), each running PostgreSQL 15; one is elected leader, the others stream from it'),
  etcd: z.int().min(1).max(5).default(3).describe('etcd nodes (etcd-1 … etcd-N): the DCS holding the leader lock; a majority must answer'),
  patroni: patroniSettings.prefault({}),
  haproxy: haproxySettings.prefault({}),
});
