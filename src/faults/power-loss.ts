import { InfraError } from '../util/errors.js';
import { ipv4ToNumber } from '../util/ipv4.js';
import { containerFault, engineCall, noteExit, startAgain } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';
import { resolveGroup } from './resolve-target.js';

/**
 * Power loss of one or more data nodes at once (a site): each node's container is SIGKILLed whole, its
 * lazy disk with it, so what was written but never fsynced is gone (docs/power-loss.md). A kill of the
 * server alone would not be power loss: its writes sit in the page cache and survive it. Heal = power
 * back: every node starts again from what its disk kept. The fault instant is the first node's (list the
 * primary first): the engine's `kill` event of its container.
 */
export const powerLoss: FaultPlugin<'power-loss'> = {
  kind: 'power-loss',
  network: false,
  async inject(ctx, step) {
    const nodes = await resolveGroup(ctx.stack, step.nodes);
    const first = nodes[0];
    if (!first) throw new InfraError(`power-loss: nodes ${step.target} resolved to no node`);
    const plain = nodes.filter((n) => !n.lazyDisk);
    if (plain.length > 0) {
      throw new InfraError(`power-loss: ${plain.map((n) => n.name).join(', ')} keep their data on a plain disk: killing them would lose nothing unsynced (set stack.disk: lazy)`);
    }
    const cut = () => Promise.all(nodes.map((n) => engineCall(`power-loss ${n.name}`, () => ctx.docker.getContainer(n.id).kill({ signal: 'SIGKILL' })))).then(() => undefined);
    // Power back one node at a time, lowest address first: the engine gives a starting container the
    // lowest free address of the network, so each gets its own back (a machine keeps its IP; Sentinel and
    // the replicas know the nodes by address). Started together, two nodes swapped addresses here.
    const powerBack = async () => {
      for (const n of [...nodes].sort((a, b) => ipv4ToNumber(a.ip) - ipv4ToNumber(b.ip))) {
        await startAgain(ctx, n)();
        const ip = await ctx.docker
          .getContainer(n.id)
          .inspect()
          .then((i) => i.NetworkSettings.Networks[ctx.stack.network]?.IPAddress ?? '')
          .catch(() => '');
        if (ip && ip !== n.ip) {
          ctx.note({ atMs: ctx.clock.nowMs(), source: 'docker', message: `${n.name} came back at ${ip}, not at its address ${n.ip}: the system may not find it`, marker: 'heal-error' });
        }
      }
    };
    const names = nodes.map((n) => n.name).join(', ');
    const fault = await containerFault(ctx, { fault: step.fault, target: step.target }, first, cut, step.durationMs !== undefined ? powerBack : null, step.durationMs, ['kill'], names);
    await Promise.all(nodes.map((n) => noteExit(ctx, n)));
    return fault;
  },
};
