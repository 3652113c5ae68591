import { loadSection, type StarterContext } from './starter-context.js';

/** A Patroni drill: kill the leader, Patroni fails over by itself through etcd. */
export function patroniStarter({ name, header }: StarterContext): string {
  return `${header}# Kill the Patroni leader under write load; once its lock in etcd expires (ttl) a replica takes it and
# HAProxy moves the writes there. drill builds the stack in containers and removes it afterwards.
# Every field: docs/drill-file.md and docs/patroni.md. Check: drill validate FILE. Run: drill run FILE.
# The drill's name: lower-case letters, digits, ".", "_", "-"; in container names, run ids and reports.
name: ${name}
description: >-
  Kill the Patroni leader under 200 writes/s; a replica must take the leader lock and HAProxy route the
  writes to it within 20 s.

# What to run: etcd-1 … etcd-3, pg-1 … pg-3 (Patroni + PostgreSQL 15), haproxy-1 and the fixture app (app-1).
stack:
  kind: patroni
  nodes: 3                    # Patroni nodes: one leader, the others stream from it
  etcd: 3                     # the DCS: a majority must answer for a leader to keep its lock
  patroni:
    ttl: 10s                  # the leader lock's life without renewal (Patroni's default: 30s)
    loopWait: 2s              # the HA loop's period (default: 10s)
    retryTimeout: 4s          # loopWait + 2 × retryTimeout must not exceed ttl (default: 10s)
    synchronousMode: false    # true: commits wait for a synchronous standby, only it may be promoted
    failsafeMode: false       # true: a leader keeps the primary through an etcd outage if every member answers it
  haproxy:
    inter: 1s                 # HAProxy checks each node's REST API (/primary) this often
    fall: 2                   # failed checks before a node is taken out

${loadSection({ rate: 200, connections: 16, durationS: 25 })}
# The scenario, in order: the fault, then the wait for recovery.
steps:
  - at: 3s                    # 3 s into the measured load
    fault: kill               # also: stop, pause, partition, isolate, loss
    target: leader            # resolved when the fault is injected: the leader Patroni's REST API names
  - waitFor: recovered        # block until writes succeed again for a whole stable window (1 s)
    timeout: 40s

# What the drill must prove: each objective missed is a FAIL (exit code 1).
objectives:
  rto: 20s                    # from the fault to the stable recovery of writes
  unexpectedWrites: 0         # ids present that were never sent: always a bug
`;
}
