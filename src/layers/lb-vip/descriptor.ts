import type { LayerDescriptor } from '../plugin.js';
import { vipTakeoverFloor } from './vip-floor.js';
import { writableCheckFloor } from './check-floor.js';
import { latestFloor } from '../../measure/recovery-floor.js';

/**
 * Two LB nodes with a VRRP VIP in front of the stack's app instances (or, front: database / redis, between
 * the app and a MariaDB/MySQL pair or the Redis nodes): any stack whose app drill starts (a compose stack's app is yours, and
 * drill does not know how to put a proxy in front of it).
 */
export const lbVipDescriptor: LayerDescriptor<'lb-vip'> = {
  kind: 'lb-vip',
  images: () => ['lb'],
  fits: (spec, stack) => {
    if (stack.kind === 'compose') {
      return {
        ok: false,
        key: 'kind',
        why: "expected a redis-sentinel, mysql-replication or postgres stack: the front door goes in front of the app instances drill starts, and a compose stack's app is yours (docs/load-balancers.md)",
      };
    }
    if (stack.kind === 'patroni') {
      return {
        ok: false,
        key: 'kind',
        why: 'expected a redis-sentinel or mysql-replication stack: a patroni stack has its own HAProxy in front of the databases (haproxy-1), and a VIP in front of it is not built yet',
      };
    }
    if (spec.front === 'database' && (stack.kind !== 'mysql-replication' || spec.proxy !== 'haproxy')) {
      return {
        ok: false,
        key: 'front',
        why: `expected front: database with proxy haproxy on a mysql-replication stack (its external check reads read_only), got proxy ${spec.proxy} on a ${stack.kind} stack (front: redis is the Redis one)`,
      };
    }
    if (spec.front === 'redis' && (stack.kind !== 'redis-sentinel' || spec.proxy !== 'haproxy')) {
      return {
        ok: false,
        key: 'front',
        why: `expected front: redis with proxy haproxy on a redis-sentinel stack (its tcp-check expects role:master), got proxy ${spec.proxy} on a ${stack.kind} stack (front: database is the MariaDB one)`,
      };
    }
    if (spec.front !== 'apps' && spec.reach !== 'auto') {
      return {
        ok: false,
        key: 'reach',
        why: `expected no reach with front: ${spec.front}: the load goes to the app's own published port and only the app's pool goes through the VIP, so nothing on the host needs to reach it`,
      };
    }
    if (spec.proxy === 'nginx' && spec.healthCheck.interMs % 1000 !== 0) {
      return {
        ok: false,
        key: 'healthCheck',
        why: `expected healthCheck.inter in whole seconds with proxy nginx (it is Nginx's fail_timeout, which takes seconds), got ${spec.healthCheck.interMs} ms`,
      };
    }
    return { ok: true };
  },
  // Fault targets the layer adds: the node holding the VIP at that moment, the other one, or either by name.
  targets: () => ({ roles: ['active-lb', 'backup-lb'], nodes: ['lb-1', 'lb-2'] }),
  // The new holder's own request to add the VIP, after the old holder's proxy was taken away (vip-floor.ts).
  // The database front door's check that put the promoted node in (check-floor.ts). Both hold: the later counts.
  recoveryFloor: ({ result, logs, faults, primaryBefore, primaryAfter }) => {
    const lbContainers = result.containers.filter((c) => c.role === 'lb').map((c) => c.name);
    const { rise, fall } = result.healthCheck;
    return latestFloor([
      vipTakeoverFloor({ logs, faults, vip: result.vip, proxy: result.proxy, lbContainers }),
      result.front === 'database' ? writableCheckFloor({ logs, faults, vip: result.vip, lbContainers, rise, fall, primaryBefore, primaryAfter }) : null,
    ]);
  },
};
