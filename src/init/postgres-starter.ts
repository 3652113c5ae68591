import { loadSection, type StarterContext } from './starter-context.js';

/** A PostgreSQL drill: kill the primary, fail over by runbook steps. */
export function postgresStarter({ name, header }: StarterContext): string {
  return `${header}# Kill the PostgreSQL primary under write load; after an operator's reaction time the runbook promotes
# the most advanced standby (pg_promote) and points the app and the other standby at it. drill builds the
# stack in containers and removes it afterwards.
# Every field: docs/drill-file.md and docs/postgres.md. Check: drill validate FILE. Run: drill run FILE (--dry-run: the plan).
# The drill's name: lower-case letters, digits, ".", "_", "-"; in container names, run ids and reports.
name: ${name}
description: >-
  Kill the primary (pg-1) under 200 writes/s, then fail over by runbook: promote the most advanced
  standby and repoint. Writes must be back within 15 s.

# What to run: pg-1 (the primary), streaming standbys pg-2 …, and the fixture app (app-1).
stack:
  kind: postgres
  replicas: 2                 # pg-2 and pg-3
  replication:
    synchronousStandbyNames: ""   # "" = async; 'ANY 1 (*)': a commit waits for one standby
    synchronousCommit: "on"
  failover:
    mode: runbook             # runbook: the steps below fail over; auto: drill's detector runs them itself

${loadSection({ rate: 200, connections: 32, durationS: 20 })}
# The scenario, in order: the fault, then the runbook.
steps:
  - at: 5s                    # 5 s into the measured load
    fault: kill               # also: stop, pause, restart, partition, isolate, loss, latency
    target: primary           # a role, resolved when the fault is injected: the node not in recovery
  - wait: 1s                  # the operator's reaction time
  - action: promote
    candidate: most-advanced  # the standby with the most WAL received (or a node: pg-2)
  - action: repoint           # the app and the other standby follow the new primary
  - waitFor: recovered        # block until writes succeed again for a whole stable window (1 s)
    timeout: 30s

# What the drill must prove: each objective missed is a FAIL (exit code 1).
objectives:
  rto: 15s                    # from the fault to the stable recovery of writes
  unexpectedWrites: 0         # ids present that were never sent: always a bug
  # lostWrites: 0             # with a synchronous standby named, nothing acknowledged may be lost
`;
}
