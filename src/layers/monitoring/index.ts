import type { LayerPlugin } from '../plugin.js';
import { monitoringDescriptor } from './descriptor.js';

/** Real Prometheus and Alertmanager beside the stack: did the alert fire, and how fast (docs/monitoring.md). */
export const monitoring: LayerPlugin<'monitoring'> = {
  ...monitoringDescriptor,
  start: async (ctx, spec, stack) => {
    const m = await import('./monitoring-layer.js');
    return spec.external ? m.startExternalMonitoring(ctx, spec, spec.external) : m.startMonitoringLayer(ctx, spec, stack);
  },
};
