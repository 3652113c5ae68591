import { loadSection, type StarterContext } from './starter-context.js';

/** A drill against your own running Compose stack (the reference docker-compose.yml by default). */
export function composeStarter({ name, header }: StarterContext): string {
  return `${header}# Bring your own stack: drill starts nothing. It finds the running containers of a Compose project, asks
# the Sentinels which one is master, kills it under load, and at the end starts it again. Set up for the
# reference stack of drill's repository (docker-compose.yml: docker compose -p drill-ref up -d); point
# project and endpoint at yours. See docs/compose.md.
# Every field: docs/drill-file.md. Check: drill validate FILE. Run: drill run FILE (--dry-run: the plan).
# The drill's name: lower-case letters, digits, ".", "_", "-"; in run ids and reports.
name: ${name}
description: >-
  Kill the Redis master of the running drill-ref Compose project under 200 writes/s; Sentinel must
  promote the replica and writes must recover within 10 s. The killed container is started again.

# Your running stack: which containers (by Compose project), what they run, and where the app listens.
stack:
  kind: compose
  project: drill-ref          # the Compose project name (docker compose -p NAME)
  system: redis-sentinel      # what the containers run: redis-sentinel, mysql-replication or postgres
  # Your app, answering POST /write?id=N once the database acknowledged it (docs/compose.md).
  # \${NAME:-default} is read from the environment: the same variable docker-compose.yml publishes with.
  endpoint: http://127.0.0.1:\${DRILL_REDIS_APP_PORT:-18081}
  restore: true               # at the end, start again what the drill killed
  # For system: mysql-replication, the credentials drill probes and promotes with (masked everywhere):
  # mysql:
  #   user: root
  #   password: \${DRILL_MYSQL_ROOT_PASSWORD}

${loadSection({ rate: 200, connections: 16, durationS: 15 })}
# The scenario, in order.
steps:
  - at: 5s                    # 5 s into the measured load
    fault: kill               # also: stop, pause, restart, partition, isolate, loss, latency
    target: primary           # a role, resolved when the fault is injected: whoever the Sentinels name master
  - waitFor: recovered        # block until writes succeed again for a whole stable window (1 s)
    timeout: 30s              # give up (and fail the RTO) if they have not by then

# What the drill must prove: each objective missed is a FAIL (exit code 1).
objectives:
  rto: 10s                    # from the fault to the stable recovery of writes
  unexpectedWrites: 0         # ids present that were never sent: always a bug
`;
}
