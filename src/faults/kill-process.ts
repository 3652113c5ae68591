import { exec } from '../engine/docker-exec.js';
import { InfraError } from '../util/errors.js';
import { targetOf } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';
import { timeBox } from './time-box.js';
import { STAMP_FROM, STAMP_TO, stampedWindow } from './stamps.js';

// One process inside a container (the proxy on an LB node, or keepalived) killed with SIGKILL; the
// container and its other processes live on. Nothing starts it again: the point is what the others do.
// The exec finds the processes by name (pgrep), kills them between two stamps on the host's clock inside
// the container, then proves with pgrep that none of that name is left. The exec's round trip took ~85 ms;
// pkill between the stamps ~12 ms (its own start and /proc scan); the shell's builtin kill leaves the
// second stamp's `date` start-up, ~1-2 ms, but 20 ms on a loaded host. perl (perl-base is in every
// Debian, drill's images included) reads the clock around its kill(2) calls with nothing started between:
// used where the image has it, the shell's way elsewhere.
// All are stopped before any is killed: keepalived's VRRP child asks for SIGTERM when its parent dies, and
// on a busy host it ran its handler (removing the VIP, a clean exit) before the same `kill -9` reached it.

export const killProcess: FaultPlugin<'kill-process'> = {
  kind: 'kill-process',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const name = step.process;
    const injectedAtMs = ctx.clock.nowMs();
    // Exit 1: nothing of that name to kill; 9: one is still there after the kill (pgrep).
    const stamp = (label: string) => `echo "${label} $(date +%s%N)"`;
    const perlKill = `perl -e 'use Time::HiRes qw(time); my $s = time; kill("STOP", @ARGV); kill("KILL", @ARGV); my $e = time; printf("${STAMP_FROM} %.0f\\n${STAMP_TO} %.0f\\n", $s * 1e9, $e * 1e9)' $p`;
    const shellKill = `${stamp(STAMP_FROM)}; kill -STOP $p 2>/dev/null; kill -9 $p 2>/dev/null; ${stamp(STAMP_TO)}`;
    const res = await exec(
      ctx.docker,
      c.id,
      [
        'sh',
        '-c',
        `p=$(pgrep -x ${name}) || exit 1; if command -v perl >/dev/null; then ${perlKill}; else ${shellKill}; fi; for i in 1 2 3 4 5 6 7 8 9 10; do pgrep -x ${name} >/dev/null || exit 0; sleep 0.01; done; exit 9`,
      ],
      {
        timeoutMs: 5000,
      },
    );
    const injectReturnedAtMs = ctx.clock.nowMs();
    if (res.code === 1) throw new InfraError(`kill-process ${name} on ${c.name}: no process named ${name} runs there`);
    if (res.code !== 0)
      throw new InfraError(`kill-process ${name} on ${c.name}: ${res.code === 9 ? `a process named ${name} is still running after SIGKILL` : res.stderr.trim() || `exit ${res.code}`}`);
    ctx.note({ atMs: injectedAtMs, source: 'docker', message: `${c.name}: ${name} killed (SIGKILL), none left (pgrep)` });
    const seen = stampedWindow(ctx, [res], injectedAtMs, injectReturnedAtMs);
    const injected = timeBox(
      ctx,
      { kind: 'kill-process', target: step.target, container: c.name, durationMs: undefined },
      {
        injectedAtMs,
        injectReturnedAtMs,
        undo: null,
        // Stamps outside the call (a clock that is not ours: a remote engine) are not used: the call bounds it.
        details: {
          ...(seen ? { effectFromMs: seen.fromMs, effectByMs: seen.toMs } : {}),
          effectEvidence: `kill -9 of every ${name} (pgrep -x)${seen ? ` stamped inside ${c.name}` : ''}, then pgrep found none`,
        },
      },
    );
    injected.record.process = name;
    return injected;
  },
};
