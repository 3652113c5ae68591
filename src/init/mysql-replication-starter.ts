import { loadSection, type StarterContext } from './starter-context.js';

/** A MariaDB/MySQL drill: kill the primary, fail over by runbook steps. */
export function mysqlReplicationStarter({ name, header }: StarterContext): string {
  return `${header}# Kill the MariaDB primary under write load; after an operator's reaction time the runbook promotes the
# most advanced replica and points the app and the other replica at it. drill builds the stack in
# containers and removes it afterwards.
# Every field: docs/drill-file.md. Check: drill validate FILE. Run: drill run FILE (--dry-run: the plan).
# The drill's name: lower-case letters, digits, ".", "_", "-"; in container names, run ids and reports.
name: ${name}
description: >-
  Kill the primary (db-1) under 200 writes/s, then fail over by runbook: promote the most advanced
  replica and repoint. Writes must be back within 15 s.

# What to run: db-1 (the primary), replicas db-2 … with GTID replication, and the fixture app (app-1).
stack:
  kind: mysql-replication
  replicas: 2                 # db-2 and db-3
  replication:
    mode: async               # async: acked before any replica has it; semisync: once a replica received it
  readOnlyReplicas: true      # a write that reaches a replica fails instead of diverging
  failover:
    mode: runbook             # runbook: the steps below fail over; auto: drill's detector runs them itself

${loadSection({ rate: 200, connections: 32, durationS: 20 })}
# The scenario, in order: the fault, then the runbook.
steps:
  - at: 5s                    # 5 s into the measured load
    fault: kill               # also: stop, pause, restart, partition, isolate, loss, latency
    target: primary           # a role, resolved when the fault is injected: the writable, non-replicating node
  - wait: 1s                  # the operator's reaction time
  - action: promote
    candidate: most-advanced  # the replica with the most transactions, by GTID (or a node: db-2)
    catchUp: true             # first apply what it already received: that is not lost
  - action: repoint           # the app and the other replica follow the new primary
  - waitFor: recovered        # block until writes succeed again for a whole stable window (1 s)
    timeout: 30s              # give up (and fail the RTO) if they have not by then

# What the drill must prove: each objective missed is a FAIL (exit code 1).
objectives:
  rto: 15s                    # from the fault to the stable recovery of writes
  unexpectedWrites: 0         # ids present that were never sent: always a bug
  # lostWrites: 0             # with replication.mode: semisync, nothing acknowledged may be lost

# Optional: abort (heal, tear down, exit 3) when the system is hopeless.
# abortIf:
#   recoveryDeadline: 60s
`;
}
