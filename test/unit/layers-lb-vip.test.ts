import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { explain, lbChecks, masterDownIntervalMs, removalBoundsMs, skewMs } from '../../src/layers/lb-vip/assess.js';
import { entrypointScript, forwarderCmd, haproxyConfig, haproxyDbConfig, haproxyRedisConfig, keepalivedConfig, nginxConfig, writableCheckScript } from '../../src/layers/lb-vip/config.js';
import { electionQuiet, holderWindows, parseNodeLog, proxyRates, splitBrainWindows, vipMovedAtMs, type NodeEvents } from '../../src/layers/lb-vip/node-events.js';
import { rates } from '../../src/layers/lb-vip/served-poller.js';
import { vipOf } from '../../src/layers/lb-vip/vip-address.js';
import type { FaultRecord } from '../../src/measure/types.js';
import { DrillFileError, parseDrillText } from '../../src/spec/load-drill.js';
import type { LbVipLayerSpec } from '../../src/spec/schema.js';

// The lb-vip layer's pure parts: configuration text, log parsing, holder windows and split brain, the
// expected-versus-measured arithmetic, and validation. The real path is test/integration/lb.test.ts.

const spec: LbVipLayerSpec = {
  kind: 'lb-vip',
  proxy: 'haproxy',
  front: 'apps',
  reach: 'auto',
  healthCheck: { interMs: 300, fall: 2, rise: 2, timeoutMs: 300 },
  keepalived: { advertIntMs: 100, priorities: [150, 100], preempt: true, trackProxy: true, trackIntervalMs: 1000, trackFall: 1 },
  vipMovesWithinMs: 1000,
  splitBrainAtMostMs: 3000,
};
const backends = [
  { node: 'app-1', host: 'drill-x-app-1', port: 8080 },
  { node: 'app-2', host: 'drill-x-app-2', port: 8080 },
];
const T0 = 1_800_000_000_000;
const line = (atMs: number, source: string, text: string) => `drill-event ${(T0 + atMs) * 1000} ${source} ${text}`;
const toRun = (epochMs: number) => epochMs - T0;

describe('lb-vip: configuration', () => {
  it('keepalived: VRRPv3, advert_int in seconds, priority, nopreempt and the track_script as declared', () => {
    const text = keepalivedConfig(spec, { name: 'lb-2', priority: 100 }, { address: '172.20.255.254', prefix: 16 }, 42);
    assert.match(text, /vrrp_version 3/);
    assert.match(text, /advert_int 0\.1\n/);
    assert.match(text, /priority 100\n/);
    assert.match(text, /virtual_router_id 42\n/);
    assert.match(text, /172\.20\.255\.254\/16 dev eth0/);
    assert.match(text, /script "\/usr\/bin\/pgrep -x haproxy"\n\s+interval 1\n/);
    assert.doesNotMatch(text, /nopreempt/);
    const bare = keepalivedConfig({ ...spec, keepalived: { ...spec.keepalived, preempt: false, trackProxy: false } }, { name: 'lb-1', priority: 150 }, { address: '10.0.0.6', prefix: 29 }, 1);
    assert.match(bare, /nopreempt/);
    assert.doesNotMatch(bare, /track_script|vrrp_script/);
  });

  it('HAProxy: one checked server per app with inter/fall/rise; Nginx: passive max_fails and fail_timeout in seconds', () => {
    const h = haproxyConfig(spec, backends);
    assert.match(h, /default-server inter 300ms fall 2 rise 2/);
    assert.match(h, /server app-2 drill-x-app-2:8080 check/);
    assert.match(h, /option httpchk GET \/metrics/);
    const n = nginxConfig({ ...spec, proxy: 'nginx', healthCheck: { interMs: 2000, fall: 3, rise: 2, timeoutMs: 2000 } }, backends);
    assert.match(n, /server drill-x-app-1:8080 max_fails=3 fail_timeout=2s;/);
  });

  it('the database front door: TCP on 3306, an external read_only check, credentials from the environment only', () => {
    const h = haproxyDbConfig({ ...spec, front: 'database' }, [{ node: 'db-1', host: 'drill-x-db-1', port: 3306 }]);
    assert.match(h, /mode tcp/);
    assert.match(h, /external-check command \/etc\/haproxy\/writable\.sh/);
    assert.match(h, /server db-1 drill-x-db-1:3306 check/);
    assert.match(writableCheckScript(300), /SELECT @@global\.read_only/);
    const script = entrypointScript({ ...spec, front: 'database' });
    assert.match(script, /"\$LB_DB_PASSWORD"/);
    assert.doesNotMatch(entrypointScript(spec), /LB_DB_/);
  });

  it('the Redis front door: TCP on 6379, a tcp-check that expects role:master, the password only as an environment reference', () => {
    const redis = [{ node: 'redis-1', host: 'drill-x-redis-1', port: 6379 }];
    const h = haproxyRedisConfig({ ...spec, front: 'redis' }, redis, false);
    assert.match(h, /bind :6379/);
    assert.match(h, /tcp-check send "INFO replication\\r\\n"\n {2}tcp-check expect string role:master/);
    assert.match(h, /server redis-1 drill-x-redis-1:6379 check/);
    assert.doesNotMatch(h, /AUTH/);
    assert.match(haproxyRedisConfig({ ...spec, front: 'redis' }, redis, true), /tcp-check send "AUTH \$\{LB_REDIS_PASSWORD\}\\r\\n"/);
  });

  it('the forwarder relays its published port to the VIP; a stopped node lets keepalived go first', () => {
    const cmd = forwarderCmd('172.23.255.254');
    assert.deepEqual(cmd.slice(0, 2), ['sh', '-c']);
    const cfg = cmd.at(-1)!;
    assert.match(cfg, /bind :8000\n/);
    assert.match(cfg, /server vip 172\.23\.255\.254:80\n/);
    // One attempt per connection, as from the host; each logged once it reached the VIP.
    assert.match(cfg, /retries 0\n/);
    assert.match(cfg, /option logasap\n/);
    assert.match(entrypointScript(spec), /trap 'pkill -TERM -x keepalived;.*kill 0; exit 0' TERM INT/);
  });

  it("HAProxy's counters: stamped stats lines parsed (req_tot, else stot), rates per second between reads, per LB node", () => {
    const toRun = (epochMs: number) => epochMs - 1_000_000_000;
    const lines = ['drill-event 1000000000000 stats app-1:10:12 app-2:10:11 ', 'drill-event 1000000250000 stats app-1:10:37 app-2:10:11 ', 'drill-event 1000000500000 stats app-1:10:62 app-2:10:11 '];
    const parsed = parseNodeLog('lb-1', lines.slice(1), '172.23.255.254', toRun, () => null);
    assert.deepEqual(parsed.stats, [
      { lb: 'lb-1', atMs: 250, totals: { 'app-1': 37, 'app-2': 11 } },
      { lb: 'lb-1', atMs: 500, totals: { 'app-1': 62, 'app-2': 11 } },
    ]);
    // TCP mode: req_tot is empty, the sessions count.
    assert.deepEqual(parseNodeLog('lb-2', ['drill-event 1000000250000 stats redis-1:7: redis-2:0: '], '172.23.255.254', toRun, () => null).stats[0]!.totals, { 'redis-1': 7, 'redis-2': 0 });
    assert.deepEqual(proxyRates([...parsed.stats, { lb: 'lb-2', atMs: 300, totals: { 'app-1': 5 } }]), [{ lb: 'lb-1', atMs: 500, perBackend: { 'app-1': 100, 'app-2': 0 } }]);
    assert.match(entrypointScript(spec), /show stat' \| socat stdio \/run\/haproxy\.sock.*\| stamp stats/);
    assert.doesNotMatch(entrypointScript({ ...spec, proxy: 'nginx' }), /stamp stats/);
  });

  it('the VIP is the top usable address of the subnet', () => {
    assert.deepEqual(vipOf('172.23.0.0/16'), { address: '172.23.255.254', prefix: 16 });
    assert.deepEqual(vipOf('192.168.16.0/20'), { address: '192.168.31.254', prefix: 20 });
    assert.throws(() => vipOf('10.0.0.0/30'), /too small/);
  });
});

describe('lb-vip: what the nodes logged', () => {
  it('VRRP states, the VIP added and removed, HAProxy server DOWN/UP and Nginx disabling an upstream', () => {
    const lines = [
      line(10, 'vrrp', 'Thu Dec  3 09:45:45 2026: (VI_1) Entering BACKUP STATE'),
      line(400, 'vrrp', 'Thu Dec  3 09:45:45 2026: (VI_1) Entering MASTER STATE'),
      line(400.2, 'addr', '3366: eth0    inet 172.23.255.254/16 scope global secondary eth0\\       valid_lft forever'),
      line(900, 'vrrp', 'Thu Dec  3 09:45:46 2026: (VI_1) entering FAULT state (tracked script chk_proxy failed)'),
      line(901, 'vrrp', 'Thu Dec  3 09:45:46 2026: (VI_1) Entering FAULT STATE'),
      line(901.5, 'addr', 'Deleted 3366: eth0    inet 172.23.255.254/16 scope global secondary eth0'),
      line(950, 'addr', '3366: eth0    inet 172.23.255.7/16 scope global secondary eth0'),
      line(1000, 'proxy', '[WARNING]  (12) : Server apps/app-2 is DOWN, reason: Layer4 timeout, check duration: 300ms. 2 active left.'),
      line(1500, 'proxy', '[WARNING]  (12) : Server apps/app-2 is UP, reason: Layer7 check passed, code: 200'),
      line(1600, 'proxy', '2026/12/03 [warn] 13#13: *5 upstream server temporarily disabled while connecting to upstream, client: 1.2.3.4, upstream: "http://172.23.0.9:8080/write?id=4"'),
      'a line without a stamp',
    ];
    const e = parseNodeLog('lb-1', lines, '172.23.255.254', toRun, (a) => (a === '172.23.0.9:8080' ? 'app-3' : null));
    assert.deepEqual(
      e.vrrp.map((v) => [v.atMs, v.state, v.detail]),
      [
        [10, 'BACKUP', ''],
        [400, 'MASTER', ''],
        [900, 'FAULT', 'tracked script chk_proxy failed'],
      ],
    );
    assert.deepEqual(
      e.vip.map((v) => [v.atMs, v.held]),
      [
        [400.2, true],
        [901.5, false],
      ],
    );
    assert.deepEqual(
      e.backends.map((b) => [b.server, b.up, b.detail]),
      [
        ['app-2', false, 'Layer4 timeout'],
        ['app-2', true, 'Layer7 check passed'],
        ['app-3', false, 'temporarily disabled while connecting (max_fails reached)'],
      ],
    );
  });

  it('holder windows: a killed node stops holding; split brain is where both hold; the move after a fault', () => {
    const changes = [
      { node: 'lb-1', atMs: -3000, held: true },
      { node: 'lb-2', atMs: 4400, held: true },
      { node: 'lb-2', atMs: 9000, held: false },
    ];
    // lb-1 was killed at 6000 (no "Deleted" line: its namespace went away with it).
    const w = holderWindows(changes, { 'lb-1': 6000 }, 10_000);
    assert.deepEqual(
      w.map((x) => [x.fromMs, x.toMs, x.nodes.join('+')]),
      [
        [-3000, 4400, 'lb-1'],
        [4400, 6000, 'lb-1+lb-2'],
        [6000, 9000, 'lb-2'],
        [9000, 10_000, ''],
      ],
    );
    assert.deepEqual(
      splitBrainWindows(w).map((x) => [x.fromMs, x.toMs]),
      [[4400, 6000]],
    );
    assert.deepEqual(vipMovedAtMs(w, 4000), { atMs: 4400, node: 'lb-2' });
    assert.equal(vipMovedAtMs(w, 7000), null);
  });

  it('the first election is over only when both nodes said their state and nothing changed for the quiet time', () => {
    const node = (name: string, vrrp: [number, 'MASTER' | 'BACKUP'][], vip: [number, boolean][]): NodeEvents => ({
      vrrp: vrrp.map(([atMs, state]) => ({ node: name, atMs, state, detail: '' })),
      vip: vip.map(([atMs, held]) => ({ node: name, atMs, held })),
      backends: [],
      stats: [],
    });
    const lb1 = node(
      'lb-1',
      [
        [0, 'BACKUP'],
        [340, 'MASTER'],
      ],
      [[341, true]],
    );
    // lb-2's keepalived has not said anything yet: not over, however long ago lb-1 won.
    assert.equal(electionQuiet([lb1, node('lb-2', [], [])], 5000, 600), false);
    const lb2 = node('lb-2', [[10, 'BACKUP']], []);
    assert.equal(electionQuiet([lb1, lb2], 900, 600), false);
    assert.equal(electionQuiet([lb1, lb2], 941, 600), true);
    // Both timers ran out together: lb-2 took the VIP 2 ms after lb-1 and let it go on lb-1's advert.
    const raced = node(
      'lb-2',
      [
        [10, 'BACKUP'],
        [343, 'MASTER'],
        [448, 'BACKUP'],
      ],
      [
        [343, true],
        [448, false],
      ],
    );
    assert.equal(electionQuiet([lb1, raced], 941, 600), false);
    assert.equal(electionQuiet([lb1, raced], 1048, 600), true);
  });

  it('per-second rates from the apps counters; a failed read is null, a restarted counter counts from zero', () => {
    const r = rates([
      { atMs: 0, totals: { 'app-1': 100, 'app-2': 100 } },
      { atMs: 1000, totals: { 'app-1': 200, 'app-2': null } },
      { atMs: 2000, totals: { 'app-1': 290, 'app-2': 40 } },
    ]);
    assert.deepEqual(r, [
      { atMs: 1000, perBackend: { 'app-1': 100, 'app-2': null } },
      { atMs: 2000, perBackend: { 'app-1': 90, 'app-2': 40 } },
    ]);
  });
});

describe('lb-vip: RTO explained by configuration', () => {
  const fault = (kind: string, container: string, atMs: number, extra: Partial<FaultRecord> = {}): FaultRecord => ({
    kind,
    target: 'x',
    container,
    injectedAtMs: atMs,
    injectReturnedAtMs: atMs + 50,
    ...extra,
  });
  const lbNodes = [
    { node: 'lb-1', container: 'c-lb-1' },
    { node: 'lb-2', container: 'c-lb-2' },
  ];
  const appNodes = [{ node: 'app-2', container: 'c-app-2' }];
  const windows = [
    { fromMs: -3000, toMs: 4400, nodes: ['lb-1'] },
    { fromMs: 4400, toMs: 10_000, nodes: ['lb-2'] },
  ];

  it('HAProxy removal: a failed check costs inter + its connect timeout (min(1 s, inter)), or the external check timeout', () => {
    assert.deepEqual(removalBoundsMs(spec), { lowMs: 300, highMs: 1200 });
    assert.deepEqual(removalBoundsMs({ ...spec, healthCheck: { interMs: 2000, fall: 3, rise: 2, timeoutMs: 2000 } }), { lowMs: 4000, highMs: 9000 });
    assert.deepEqual(removalBoundsMs({ ...spec, front: 'database', healthCheck: { interMs: 300, fall: 2, rise: 2, timeoutMs: 1000 } }), { lowMs: 300, highMs: 2600 });
    // A slow instance: every failing check waits out its timeout (300 ms), inter apart, the first up to inter + timeout late.
    assert.deepEqual(removalBoundsMs(spec, 'latency'), { lowMs: 900, highMs: 1500 });
  });

  it('a stop of the active node: keepalived sends a priority-0 advert, expected within the skew time (+ one advert)', () => {
    const rows = explain({ spec, lbNodes, appNodes, faults: [fault('stop', 'c-lb-1', 4300)], windows, backends: [], recoveredAtMs: () => 4600 });
    assert.equal(rows[0]!.vipMovedMs, 100);
    assert.deepEqual(rows[0]!.expectedMs, { lowMs: 0, highMs: skewMs(100, 100) + 100 });
    assert.match(rows[0]!.setting, /priority-0 advert/);
  });

  it('VRRPv3 master down interval: 3 × advert_int + (256 − priority) × advert_int / 256', () => {
    assert.equal(skewMs(1000, 100), 609.375);
    assert.equal(masterDownIntervalMs(1000, 100), 3609.375);
    assert.equal(masterDownIntervalMs(100, 100), 360.9375);
  });

  it('a kill of the active node: expected ≈ master down interval, measured from the holders', () => {
    const rows = explain({ spec, lbNodes, appNodes, faults: [fault('kill', 'c-lb-1', 4000)], windows, backends: [], recoveredAtMs: () => 5100 });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.vipMovedMs, 400);
    assert.equal(rows[0]!.clientRtoMs, 1100);
    assert.ok(rows[0]!.expectedMs!.lowMs < 360.9375 && rows[0]!.expectedMs!.highMs > 360.9375);
  });

  it('the proxy killed without tracking: the VIP is expected never to move', () => {
    const untracked = { ...spec, keepalived: { ...spec.keepalived, trackProxy: false } };
    const stay = [{ fromMs: -3000, toMs: 10_000, nodes: ['lb-1'] }];
    const rows = explain({ spec: untracked, lbNodes, appNodes, faults: [fault('kill-process', 'c-lb-1', 4000, { process: 'haproxy' })], windows: stay, backends: [], recoveredAtMs: () => null });
    assert.equal(rows[0]!.vipMovedMs, null);
    assert.equal(rows[0]!.expectedMs, null);
    assert.match(rows[0]!.expected, /never moves/);
    assert.equal(rows[0]!.clientRtoMs, null);
  });

  it('an app instance: removal against inter × fall from the proxy DOWN line', () => {
    const rows = explain({
      spec,
      lbNodes,
      appNodes,
      faults: [fault('kill', 'c-app-2', 4000)],
      windows,
      backends: [{ lb: 'lb-1', server: 'app-2', atMs: 4550, up: false, detail: 'Layer4 timeout' }],
      recoveredAtMs: () => 4600,
    });
    assert.equal(rows[0]!.removedMs, 550);
    assert.deepEqual(rows[0]!.expectedMs, { lowMs: 300, highMs: 1200 });
  });

  it('the checks: the VIP moved in time; split brain within its bound', () => {
    const split = [
      { fromMs: -3000, toMs: 4400, nodes: ['lb-1'] },
      { fromMs: 4400, toMs: 8000, nodes: ['lb-1', 'lb-2'] },
    ];
    const checks = lbChecks({ spec, faults: [fault('partition', 'a | b', 4000)], windows: split });
    assert.deepEqual(
      checks.map((c) => [c.name, c.ok]),
      [
        ['vip moves', true],
        ['vip split brain', false],
      ],
    );
    assert.equal(lbChecks({ spec, faults: [], windows })[0]!.ok, false, 'no fault, no move: the check cannot pass on nothing');
  });
});

describe('lb-vip: validation', () => {
  const drill = (layer: string, target = 'active-lb', stack = 'kind: redis-sentinel\n  apps: 3') =>
    `name: t\ndescription: d\nstack:\n  ${stack}\nlayers:\n  - kind: lb-vip\n${layer}\nload: { rate: 10, connections: 2, timeout: 1s, warmup: 1s, duration: 8s }\nsteps:\n  - at: 2s\n    fault: kill\n    target: ${target}\n`;
  const problems = (text: string): string[] => {
    try {
      parseDrillText(text, 't.yaml');
      return [];
    } catch (error) {
      if (error instanceof DrillFileError) return error.errors.map((p) => `${p.path}: ${p.message}`);
      throw error;
    }
  };

  it('accepts the LB roles and nodes beside the stack; refuses them without the layer', () => {
    assert.deepEqual(problems(drill('    proxy: haproxy')), []);
    assert.deepEqual(problems(drill('    proxy: haproxy', 'lb-2')), []);
    const without = `name: t\ndescription: d\nstack:\n  kind: redis-sentinel\nload: { rate: 10, connections: 2, timeout: 1s, warmup: 1s, duration: 8s }\nsteps:\n  - at: 2s\n    fault: kill\n    target: active-lb\n`;
    assert.match(problems(without).join('\n'), /steps\[0\]\.target: .*LB nodes come with an lb-vip layer/);
  });

  it('refuses a sub-centisecond advert, a fractional track interval, Nginx with milliseconds, database front doors where they cannot be', () => {
    assert.match(problems(drill('    keepalived: { advertInt: 105ms }')).join('\n'), /layers\[0\]\.keepalived\.advertInt: expected a multiple of 10 ms/);
    assert.match(problems(drill('    keepalived: { trackInterval: 1500ms }')).join('\n'), /trackInterval: expected whole seconds/);
    assert.match(problems(drill('    proxy: nginx\n    healthCheck: { inter: 500ms }')).join('\n'), /healthCheck.*whole seconds with proxy nginx/);
    assert.match(problems(drill('    front: database')).join('\n'), /front.*mysql-replication/);
    assert.deepEqual(problems(drill('    front: redis')), []);
    assert.match(problems(drill('    front: redis\n    proxy: nginx')).join('\n'), /layers\[0\]\.front: .*proxy haproxy on a redis-sentinel stack/);
    assert.match(problems(drill('    front: redis', 'primary', 'kind: mysql-replication')).join('\n'), /front.*redis-sentinel/);
    assert.match(problems(drill('    front: redis\n    reach: forwarder')).join('\n'), /layers\[0\]\.reach: expected no reach with front: redis/);
    assert.deepEqual(problems(drill('    reach: forwarder')), []);
  });

  it('the shipped lb drills validate', async () => {
    for (const name of [
      'lb-kill-active-haproxy',
      'lb-kill-proxy-process-tracked',
      'lb-kill-proxy-process-untracked',
      'lb-kill-app-instance',
      'lb-vrrp-split-brain',
      'nginx-kill-active',
      'mariadb-haproxy-kill-primary',
      'lb-redis-haproxy-kill-master',
      'lb-stop-active-haproxy',
      'lb-pause-active-haproxy',
      'lb-slow-app-instance',
    ]) {
      const file = path.join('drills', `${name}.yaml`);
      assert.deepEqual(problems(await readFile(file, 'utf8')), [], file);
    }
  });
});
