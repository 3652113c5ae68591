import type { LayerDescriptor } from '../plugin.js';

/**
 * Prometheus and Alertmanager beside a stack whose nodes drill started (it scrapes them by name on the
 * stack's network), or your own, read-only, beside any stack.
 */
export const monitoringDescriptor: LayerDescriptor<'monitoring'> = {
  kind: 'monitoring',
  // Your own Prometheus and Alertmanager: drill starts nothing.
  images: (spec) => (spec.external ? [] : ['monitoring']),
  fits: (spec, stack) =>
    stack.kind === 'patroni' && !spec.external
      ? { ok: false, key: 'kind', why: 'expected prometheus: { url } and alertmanager: { url } on a patroni stack: exporters for PostgreSQL, Patroni and etcd are not built into drill yet' }
      : stack.kind === 'compose' && !spec.external
        ? {
            ok: false,
            key: 'kind',
            why: 'expected prometheus: { url } and alertmanager: { url } on a compose stack: drill does not know which exporters your nodes need, so it reads your own monitoring instead of starting its own (docs/monitoring.md)',
          }
        : { ok: true },
};
