import { loadSection, type StarterContext } from './starter-context.js';

/** A Redis + Sentinel drill: kill the master under load, Sentinel fails over by itself. */
export function redisSentinelStarter({ name, header }: StarterContext): string {
  return `${header}# Kill the Redis master under steady write load and prove that Sentinel promotes a replica and that
# writes come back within the RTO. drill builds the stack in containers and removes it afterwards.
# Every field: docs/drill-file.md. Check: drill validate FILE. Run: drill run FILE (--dry-run: the plan).
# The drill's name: lower-case letters, digits, ".", "_", "-"; in container names, run ids and reports.
name: ${name}
description: >-
  Kill the Redis master (SIGKILL) under 300 writes/s; Sentinel must promote the replica and writes
  must recover within 10 s.

# What to run: a master (redis-1), replicas (redis-2 …), Sentinels (sentinel-1 …) and the fixture app
# (app-1) the writes go through.
stack:
  kind: redis-sentinel
  replicas: 1                 # 1-5 replicas of the master
  sentinels: 3                # an odd number: 3 tolerate the loss of one Sentinel
  sentinel:
    downAfter: 1s             # a master unreachable this long is "subjectively down" (Redis default: 30 s)
    failoverTimeout: 5s       # how long a failover may take before another Sentinel retries it
  # password: \${REDIS_PASSWORD}   # requirepass; from the environment, masked in logs and reports

${loadSection({ rate: 300, connections: 16, durationS: 15 })}
# The scenario, in order.
steps:
  - at: 5s                    # 5 s into the measured load
    fault: kill               # also: stop, pause, restart, partition, isolate, loss, latency
    target: primary           # a role, resolved when the fault is injected: whoever Sentinel names master
  - waitFor: recovered        # block until writes succeed again for a whole stable window (1 s)
    timeout: 30s              # give up (and fail the RTO) if they have not by then

# What the drill must prove: each objective missed is a FAIL (exit code 1).
objectives:
  rto: 10s                    # from the fault to the stable recovery of writes
  unexpectedWrites: 0         # ids present that were never sent: always a bug
  # lostWrites: 0             # Redis replication is asynchronous: a killed master may lose its last acks

# Optional: abort (heal, tear down, exit 3) when the system is hopeless.
# abortIf:
#   errorRate: { above: 0.99, for: 60s }
`;
}
