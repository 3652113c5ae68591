import { exec } from '../engine/docker-exec.js';
import { InfraError } from '../util/errors.js';
import { targetOf } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';
import { timeBox } from './time-box.js';

// One process inside a container (the proxy on an LB node, or keepalived) killed with SIGKILL; the
// container and its other processes live on. Nothing starts it again: the point is what the others do.
// The exec runs pkill and then proves with pgrep that no process of that name is left.

export const killProcess: FaultPlugin<'kill-process'> = {
  kind: 'kill-process',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const name = step.process;
    const injectedAtMs = ctx.clock.nowMs();
    // pkill exits 1 when nothing matched: the process was not there to kill.
    const res = await exec(ctx.docker, c.id, ['sh', '-c', `pkill -9 -x ${name}; k=$?; for i in 1 2 3 4 5 6 7 8 9 10; do pgrep -x ${name} >/dev/null || exit $k; sleep 0.01; done; exit 9`], {
      timeoutMs: 5000,
    });
    const injectReturnedAtMs = ctx.clock.nowMs();
    if (res.code === 1) throw new InfraError(`kill-process ${name} on ${c.name}: no process named ${name} runs there`);
    if (res.code !== 0)
      throw new InfraError(`kill-process ${name} on ${c.name}: ${res.code === 9 ? `a process named ${name} is still running after SIGKILL` : res.stderr.trim() || `exit ${res.code}`}`);
    ctx.note({ atMs: injectedAtMs, source: 'docker', message: `${c.name}: ${name} killed (SIGKILL), none left (pgrep)` });
    const injected = timeBox(
      ctx,
      { kind: 'kill-process', target: step.target, container: c.name, durationMs: undefined },
      { injectedAtMs, injectReturnedAtMs, undo: null, details: { effectEvidence: `pkill -9 -x ${name}, then pgrep found none` } },
    );
    injected.record.process = name;
    return injected;
  },
};
