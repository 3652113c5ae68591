import type { LayerPlugin } from '../plugin.js';
import { monitoringDescriptor } from './descriptor.js';

/** Real Prometheus and Alertmanager beside the stack: did the alert fire, and how fast (docs/monitoring.md). */
export const monitoring: LayerPlugin<'monitoring'> = {
  ...monitoringDescriptor,
  start: async (ctx, spec, stack) => (await import('./monitoring-layer.js')).startMonitoringLayer(ctx, spec, stack),
};
