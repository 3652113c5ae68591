import type { LayerDescriptor } from '../plugin.js';

/**
 * Two LB nodes with a VRRP VIP in front of the stack's app instances: any stack whose app drill starts
 * (a compose stack's app is yours, and drill does not know how to put a proxy in front of it).
 */
export const lbVipDescriptor: LayerDescriptor<'lb-vip'> = {
  kind: 'lb-vip',
  images: () => ['lb'],
  fits: (_spec, stack) =>
    stack.kind === 'compose'
      ? {
          ok: false,
          key: 'kind',
          why: "expected a redis-sentinel or mysql-replication stack: the front door goes in front of the app instances drill starts, and a compose stack's app is yours (docs/load-balancers.md)",
        }
      : { ok: true },
  // Fault targets the layer adds: the node holding the VIP at that moment, the other one, or either by name.
  targets: () => ({ roles: ['active-lb', 'backup-lb'], nodes: ['lb-1', 'lb-2'] }),
};
