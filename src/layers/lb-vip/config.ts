import type { LbVipLayerSpec } from '../../spec/schema.js';

// The configuration each LB node runs, as plain text: pure functions of the layer's spec, unit-tested
// without an engine. docs/load-balancers.md explains every setting and what it costs in RTO.

/** Where the proxy listens inside each LB node (and so on the VIP). */
export const PROXY_PORT = 80;
/** HAProxy's stats socket inside the node. */
export const STATS_SOCKET = '/run/haproxy.sock';

export interface Backend {
  node: string;
  host: string;
  port: number;
}

const seconds = (ms: number): string => String(ms / 1000);

/**
 * HAProxy: round robin over the app instances, each checked with GET /metrics (answered by the app
 * process itself without the database: a paused app fails it, a busy database does not take every
 * instance out). `inter`, `fall`, `rise` as declared; server state changes go to stderr (-db).
 */
export function haproxyConfig(spec: LbVipLayerSpec, backends: readonly Backend[]): string {
  const h = spec.healthCheck;
  return [
    'global',
    `  stats socket ${STATS_SOCKET} mode 600 level admin`,
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    `  timeout check ${h.timeoutMs}ms`,
    // A connection refused by a dead instance is tried once more on another: the request was never sent.
    '  retries 1',
    '  option redispatch',
    'frontend fe',
    `  bind :${PROXY_PORT}`,
    '  default_backend apps',
    'backend apps',
    '  balance roundrobin',
    '  option httpchk GET /metrics',
    `  default-server inter ${h.interMs}ms fall ${h.fall} rise ${h.rise} on-marked-down shutdown-sessions`,
    ...backends.map((b) => `  server ${b.node} ${b.host}:${b.port} check`),
    '',
  ].join('\n');
}

/** Where the forwarder listens inside its container (published on 127.0.0.1 on a local engine). */
export const FORWARDER_PORT = 8000;

/** The forwarder's log line for each connection, once it reached the VIP (or failed to): client → server. */
export const FORWARDER_LOG_PREFIX = 'forwarded';

/**
 * The forwarder (reach: forwarder): HAProxy in TCP mode (drill/lb has it) relays each connection it
 * accepts to the VIP with no retry, so a connection to a dead node hangs alone as it would from the host,
 * and a new one goes wherever the VIP is now (the forwarder follows the gratuitous ARP like the host
 * does). It was socat, one process forked per connection: on a busy 2-core host each fork took ~15 ms,
 * the probe stream's 64 connections opened at once waited in the backlog past their 250 ms timeout, and
 * every reconnect queued behind them: the forwarder itself collapsed and no write got through for 20 s.
 */
export function forwarderCmd(vip: string): string[] {
  const cfg = [
    'global',
    '  maxconn 4096',
    '  log stdout format raw local0 info',
    'defaults',
    '  mode tcp',
    '  log global',
    '  option logasap',
    `  log-format "${FORWARDER_LOG_PREFIX} %ci:%cp -> %si:%sp %ts"`,
    '  retries 0',
    '  timeout connect 10s',
    '  timeout client 1h',
    '  timeout server 1h',
    'frontend forward',
    `  bind :${FORWARDER_PORT}`,
    '  default_backend vip',
    'backend vip',
    `  server vip ${vip}:${PROXY_PORT}`,
    '',
  ].join('\n');
  return ['sh', '-c', 'printf "%s" "$1" > /tmp/forwarder.cfg && exec haproxy -db -f /tmp/forwarder.cfg', 'forwarder', cfg];
}

/** MariaDB's port, where the database front door listens (the app is pointed at the VIP on it). */
export const DB_PORT = 3306;
/** The external check's script inside the node, and the client options file it reads (credentials). */
export const WRITABLE_CHECK = '/etc/haproxy/writable.sh';
const DB_CNF = '/etc/haproxy/db.cnf';

/**
 * HAProxy in front of the database pair (front: database): TCP on 3306, writes only to the node with
 * read_only=0. HAProxy's mysql-check cannot see read_only, so an external check asks each node
 * (SELECT @@global.read_only) every `inter`: a runbook promotion then moves the traffic by itself, and a
 * demoted or dead node is taken out after `fall` checks. (Forking a check is why insecure-fork-wanted.)
 */
export function haproxyDbConfig(spec: LbVipLayerSpec, backends: readonly Backend[]): string {
  const h = spec.healthCheck;
  return [
    'global',
    `  stats socket ${STATS_SOCKET} mode 600 level admin`,
    '  maxconn 4096',
    '  external-check',
    '  insecure-fork-wanted',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 1h',
    '  timeout server 1h',
    `  timeout check ${h.timeoutMs}ms`,
    'frontend fe',
    `  bind :${DB_PORT}`,
    '  default_backend dbs',
    'backend dbs',
    '  option external-check',
    '  external-check path "/usr/bin:/bin"',
    `  external-check command ${WRITABLE_CHECK}`,
    `  default-server inter ${h.interMs}ms fall ${h.fall} rise ${h.rise} on-marked-down shutdown-sessions`,
    ...backends.map((b) => `  server ${b.node} ${b.host}:${b.port} check`),
    '',
  ].join('\n');
}

/** Redis's port, where the Redis front door listens (the app is pointed at the VIP on it). */
export const REDIS_PORT = 6379;

/**
 * HAProxy in front of the Redis nodes (front: redis): TCP on 6379, writes only to the node that says
 * `role:master`. The tcp-check asks each node `INFO replication` every `inter` (after AUTH when the stack
 * has a password): after a Sentinel failover the promoted replica passes `rise` checks and takes the
 * traffic, the dead or demoted master fails `fall` and is taken out, and the app never asks Sentinel.
 * The password comes from the environment at start (LB_REDIS_PASSWORD, see entrypointScript): HAProxy
 * expands "${VAR}" in its configuration, so it is in neither this text nor the report.
 */
export function haproxyRedisConfig(spec: LbVipLayerSpec, backends: readonly Backend[], withPassword: boolean): string {
  const h = spec.healthCheck;
  return [
    'global',
    `  stats socket ${STATS_SOCKET} mode 600 level admin`,
    '  maxconn 4096',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 1h',
    '  timeout server 1h',
    `  timeout check ${h.timeoutMs}ms`,
    'frontend fe',
    `  bind :${REDIS_PORT}`,
    '  default_backend redis',
    'backend redis',
    '  option tcp-check',
    '  tcp-check connect',
    ...(withPassword ? ['  tcp-check send "AUTH ${LB_REDIS_PASSWORD}\\r\\n"', '  tcp-check expect string +OK'] : []),
    '  tcp-check send "PING\\r\\n"',
    '  tcp-check expect string +PONG',
    '  tcp-check send "INFO replication\\r\\n"',
    '  tcp-check expect string role:master',
    '  tcp-check send "QUIT\\r\\n"',
    '  tcp-check expect string +OK',
    `  default-server inter ${h.interMs}ms fall ${h.fall} rise ${h.rise} on-marked-down shutdown-sessions`,
    ...backends.map((b) => `  server ${b.node} ${b.host}:${b.port} check`),
    '',
  ].join('\n');
}

/** The external check's line on the node's log. */
export const CHECK_LINE = 'drill-check';

/**
 * The external check: HAProxy passes the server's address and port as $3 and $4 (and its name in
 * HAPROXY_SERVER_NAME); exit 0 = writable. Each check's verdict goes to the node's log with the clock read
 * just before the script exits, `drill-check <epoch µs> <server> <pass|fail>` (straight to the container's
 * log: HAProxy gives a check no output of its own): HAProxy counts a check only once it exited, so the
 * pass that made a server UP is stamped before it (the database front door's recovery floor, check-floor.ts).
 */
export function writableCheckScript(timeoutMs: number): string {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return [
    '#!/bin/bash',
    `ro=$(mariadb --defaults-extra-file=${DB_CNF} --connect-timeout=${seconds} -h "$3" -P "$4" -N -B -e 'SELECT @@global.read_only' 2>/dev/null)`,
    '[ $? = 0 ] && [ "$ro" = 0 ] && verdict=pass || verdict=fail',
    `printf '${CHECK_LINE} %s %s %s\\n' "\${EPOCHREALTIME/./}" "\${HAPROXY_SERVER_NAME:-$3}" "$verdict" > /proc/1/fd/1`,
    '[ "$verdict" = pass ]',
    '',
  ].join('\n');
}

/**
 * Nginx (open source): no active health checks. An instance is taken out passively after `max_fails`
 * failed requests within `fail_timeout` and left out for `fail_timeout`; a request refused by a dead
 * instance goes to the next one (proxy_next_upstream error). fail_timeout takes whole seconds (validation).
 */
export function nginxConfig(spec: LbVipLayerSpec, backends: readonly Backend[]): string {
  const h = spec.healthCheck;
  return [
    'worker_processes 1;',
    'error_log stderr warn;',
    'pid /run/nginx.pid;',
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  upstream apps {',
    ...backends.map((b) => `    server ${b.host}:${b.port} max_fails=${h.fall} fail_timeout=${h.interMs / 1000}s;`),
    '    keepalive 64;',
    '  }',
    '  server {',
    `    listen ${PROXY_PORT};`,
    '    location / {',
    '      proxy_pass http://apps;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_next_upstream error timeout http_502;',
    `      proxy_connect_timeout ${h.timeoutMs}ms;`,
    '      proxy_read_timeout 30s;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The process a track_script watches and the process faults name. */
export const proxyProcess = (spec: LbVipLayerSpec): string => (spec.proxy === 'haproxy' ? 'haproxy' : 'nginx');

/**
 * Keepalived, VRRP version 3 (sub-second adverts are centiseconds), both nodes starting BACKUP so that
 * `nopreempt` is possible; the higher priority wins the first election. With trackProxy a track_script
 * puts a node whose proxy died in FAULT, and it gives the VIP up at once (a priority-0 advert).
 */
export function keepalivedConfig(spec: LbVipLayerSpec, node: { name: string; priority: number }, vip: { address: string; prefix: number }, routerId: number): string {
  const k = spec.keepalived;
  const lines = ['global_defs {', `  router_id ${node.name}`, '  vrrp_version 3', '  enable_script_security', '  script_user root', '  vrrp_garp_master_repeat 3', '}'];
  if (k.trackProxy) {
    // A vrrp_script (keepalived 2.2.7 takes its interval in whole seconds). vrrp_track_process would
    // follow the kernel's process events instead, but the process connector refuses a container's
    // PID namespace ("Failed to set/clear process event listen - errno 111"), so it never works here.
    lines.push(
      'vrrp_script chk_proxy {',
      `  script "/usr/bin/pgrep -x ${proxyProcess(spec)}"`,
      `  interval ${k.trackIntervalMs / 1000}`,
      `  timeout ${k.trackIntervalMs / 1000}`,
      `  fall ${k.trackFall}`,
      '  rise 1',
      '}',
    );
  }
  lines.push(
    'vrrp_instance VI_1 {',
    '  state BACKUP',
    '  interface eth0',
    `  virtual_router_id ${routerId}`,
    `  priority ${node.priority}`,
    `  advert_int ${seconds(k.advertIntMs)}`,
    ...(k.preempt ? [] : ['  nopreempt']),
    '  virtual_ipaddress {',
    `    ${vip.address}/${vip.prefix} dev eth0`,
    '  }',
    ...(k.trackProxy ? ['  track_script {', '    chk_proxy', '  }'] : []),
    '}',
    '',
  );
  return lines.join('\n');
}

/** How often each node reads HAProxy's own per-server counters (stats socket): finer than the apps' 1 s. */
export const STATS_EVERY_MS = 250;

/**
 * Every STATS_EVERY_MS, HAProxy's `show stat` over its stats socket reduced to one stamped line: each
 * server's `name:stot:req_tot` (sessions and, in HTTP mode, requests it was sent). Columns are found by
 * the CSV header's names, not positions. No line while HAProxy is down.
 */
function statsLoop(): string {
  const awk = `NR==1{for(i=1;i<=NF;i++)c[$i]=i;next} $2!="FRONTEND"&&$2!="BACKEND"&&$2!=""{printf "%s:%s:%s ",$2,$(c["stot"]),$(c["req_tot"])}`;
  return `while sleep ${STATS_EVERY_MS / 1000}; do l=$(echo 'show stat' | socat stdio ${STATS_SOCKET} 2>/dev/null | awk -F, '${awk}'); [ -n "$l" ] && echo "$l"; done | stamp stats`;
}

/**
 * The node's PID-1 script (under the engine's init): writes the configs from the environment, then runs
 * the proxy, keepalived and `ip monitor address`, each line of theirs stamped `drill-event <epoch µs>
 * <source> <line>` on stdout (bash's EPOCHREALTIME: no fork per line). The layer reads these lines back
 * from the container's log: VRRP state changes, the VIP added or removed in this namespace, server UP/DOWN.
 */
const KEEPALIVED_CMD = 'keepalived -n -l -D -f /etc/keepalived/drill.conf';
/** strace's line for keepalived's own netlink request that adds or removes an address: pid, epoch s.µs at the call's entry, type, address. */
const ADDR_CALL = String.raw`^[0-9]+ +([0-9]+)\.([0-9]{6}) sendmsg\(.*nlmsg_type=(RTM_NEWADDR|RTM_DELADDR).*inet_addr\("([0-9.]+)"\)`;

/**
 * keepalived, its words stamped as they are read (`vrrp`), and, when `traceVip` and the image has strace,
 * under strace: the clock read at the entry of its own request to add or remove the VIP, before the kernel
 * acts on it, is a moment no client can have reached the new holder before (the front door's recovery
 * floor, vip-floor.ts). Only sendmsg stops (seccomp-bpf): an advert every advert_int and the VIP's changes;
 * grep keeps the VIP's lines, so the shell that stamps them reads only those. Only for drills that take a
 * holder's proxy away, and the database front door (its floor needs the VIP's holder, check-floor.ts): a
 * traced keepalived waits on strace at each advert, which a busy host can delay.
 * Lines `drill-trace <epoch µs> <RTM_NEWADDR|RTM_DELADDR> <address>` go straight to the log (fd 3).
 */
function keepalivedLines(traceVip: boolean): string[] {
  const plain = `( ${KEEPALIVED_CMD} 2>&1 | stamp vrrp ) &`;
  if (!traceVip) return [plain];
  return [
    'exec 3>&1',
    `addr_calls() { local re='${ADDR_CALL}'; grep --line-buffered -E 'nlmsg_type=RTM_(NEW|DEL)ADDR' | while IFS= read -r line; do [[ $line =~ $re ]] && printf 'drill-trace %s%s %s %s\\n' "\${BASH_REMATCH[1]}" "\${BASH_REMATCH[2]}" "\${BASH_REMATCH[3]}" "\${BASH_REMATCH[4]}" >&3; done; }`,
    'if command -v strace >/dev/null; then',
    `  ( strace -f -ttt -qq --seccomp-bpf -e trace=sendmsg -e signal=none -o >(addr_calls) ${KEEPALIVED_CMD} 2>&1 | stamp vrrp ) &`,
    'else',
    `  ${plain}`,
    'fi',
  ];
}

export function entrypointScript(spec: LbVipLayerSpec, opts: { traceVip: boolean } = { traceVip: false }): string {
  // The database front door's check and its credentials, from the environment (never on a command line).
  const dbCheck =
    spec.front === 'database'
      ? [
          `printf '%s\\n' "$LB_DB_CHECK" > ${WRITABLE_CHECK}`,
          `chmod 755 ${WRITABLE_CHECK}`,
          `printf '[client]\\nuser=%s\\npassword=%s\\n' "$LB_DB_USER" "$LB_DB_PASSWORD" > ${DB_CNF}`,
          `chmod 600 ${DB_CNF}`,
        ]
      : [];
  const proxyCmd = spec.proxy === 'haproxy' ? 'haproxy -db -f /etc/haproxy/drill.cfg' : "nginx -c /etc/nginx/drill.conf -g 'daemon off;'";
  const proxyConf = spec.proxy === 'haproxy' ? '/etc/haproxy/drill.cfg' : '/etc/nginx/drill.conf';
  return [
    'set -u',
    'stamp() { while IFS= read -r line; do printf "drill-event %s %s %s\\n" "${EPOCHREALTIME/./}" "$1" "$line"; done; }',
    `printf '%s\\n' "$LB_PROXY_CONF" > ${proxyConf}`,
    'printf \'%s\\n\' "$LB_KEEPALIVED_CONF" > /etc/keepalived/drill.conf',
    ...dbCheck,
    // docker stop: keepalived first, and its last words kept (the priority-0 advert, the VIP removed,
    // which ip monitor logs) before everything else of the node is ended.
    "trap 'pkill -TERM -x keepalived; for i in $(seq 100); do pgrep -x keepalived >/dev/null || break; sleep 0.02; done; sleep 0.1; kill 0; exit 0' TERM INT",
    // Addresses first, so no change of the VIP is missed; -o: one line per event.
    '( ip -o monitor address dev eth0 2>&1 | stamp addr ) &',
    `( ${proxyCmd} 2>&1 | stamp proxy ) &`,
    ...keepalivedLines(opts.traceVip),
    ...(spec.proxy === 'haproxy' ? [`( ${statsLoop()} ) &`] : []),
    'printf "drill-event %s ready lb node started\\n" "${EPOCHREALTIME/./}"',
    'wait',
  ].join('\n');
}
