// How long before its event the engine may have acted, per event action: the fault instant then lies in
// [event − lag, event] (and never before the call started).
//
// What Docker 20.10's source says (moby v20.10.24): `kill` is logged by daemon/kill.go killWithSignal right
// after daemon.kill → libcontainerd SignalProcess → containerd task Kill → the shim's `runc kill`, which
// sends the signal with kill(2) and exits; daemon/events/events.go Log stamps TimeNano with time.Now() when
// the event is published. So the event follows the signal by runc's exit, the shim's and containerd's
// replies and dockerd's bookkeeping: the event is an upper bound of the signal, and that return path is
// the lag. stop and restart send their first signal through the same killWithSignal.
//
// Measured here (2 cores, Docker 20.10.24, containerd 1.6.20, runc 1.1.5, cgroup v1): a process in the
// container writes the host clock to a bind-mounted file every ~1 ms; the last value written before a
// `docker kill` is at or before the signal (after SIGKILL the process runs no more), so event − last value
// over-estimates the lag. 90 kills: idle 2.0–10.3 ms (median 5.8), one core kept busy 1.3–19.5 ms, both
// cores kept busy 1.6–28.3 ms (p90 23.9), and 2.0–54.4 ms (median 10.4, p90 27.1) on the machine shared
// with other test runs at a load average of 15. The tail grows with the load; the lag allowed is the
// largest seen, rounded up. A busier host can exceed it: bench/engine-event-lag.sh measures yours.
//
// `pause` has no entry: runc's cgroup v1 freezer writes FROZEN and then polls until every task is frozen
// (re-freezing if it stalls), and only then does dockerd log `pause`. Measured the same way, the event
// came 1.5–22 ms after the container's last write in 69 of 70 pauses, but 102 ms in one (idle machine),
// and 65 ms in one of 20 traced with strace: a bound allowing that is no tighter than the call's start.
// Its bound stays [call start, event].

/** The largest event − last stamp of a kill measured here (see above), rounded up. */
const KILL_LAG_MS = 55;

/** The lag to allow for an engine event of this action, or null when none is known (the call's start stands). */
export function engineEventLagMs(action: string): number | null {
  if (action === 'kill') return KILL_LAG_MS;
  return null;
}
