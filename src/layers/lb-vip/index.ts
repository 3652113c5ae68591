import type { LayerPlugin } from '../plugin.js';
import { lbVipDescriptor } from './descriptor.js';

/** HAProxy or Nginx on two nodes behind a Keepalived VIP, in front of the app instances (docs/load-balancers.md). */
export const lbVip: LayerPlugin<'lb-vip'> = {
  ...lbVipDescriptor,
  start: async (ctx, spec, stack) => (await import('./lb-layer.js')).startLbVipLayer(ctx, spec, stack),
};
