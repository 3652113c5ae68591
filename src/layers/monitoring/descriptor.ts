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
    (stack.kind === 'postgres' || stack.kind === 'patroni') && !spec.external
      ? {
          ok: false,
          key: 'kind',
          why: `expected prometheus: { url } and alertmanager: { url } on a ${stack.kind} stack: drill ships no exporters for PostgreSQL${stack.kind === 'patroni' ? ', Patroni and etcd' : ''} yet (docs/${stack.kind}.md)`,
        }
      : stack.kind === 'compose' && !spec.external
        ? {
            ok: false,
            key: 'kind',
            why: 'expected prometheus: { url } and alertmanager: { url } on a compose stack: drill does not know which exporters your nodes need, so it reads your own monitoring instead of starting its own (docs/monitoring.md)',
          }
        : { ok: true },
};
