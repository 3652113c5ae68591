import type { LayerDescriptor } from '../plugin.js';

/** Prometheus and Alertmanager beside a stack whose nodes drill started (it scrapes them by name on the stack's network). */
export const monitoringDescriptor: LayerDescriptor<'monitoring'> = {
  kind: 'monitoring',
  images: () => ['monitoring'],
  fits: (_spec, stack) =>
    stack.kind === 'compose'
      ? {
          ok: false,
          key: 'kind',
          why: 'expected a stack drill starts (redis-sentinel, mysql-replication): on a compose stack drill does not know which exporters to run; watch your own Prometheus there instead (not built yet, docs/monitoring.md)',
        }
      : { ok: true },
};
