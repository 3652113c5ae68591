import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultRecord, LogLine } from '../../src/measure/types.js';
import { faultAt, log, ORIGIN, stampedLine } from './floor-fixtures.js';
import { takesAProxyAway, vipTakeoverFloor, type VipFloorInput } from '../../src/layers/lb-vip/vip-floor.js';
import { layerRecoveryFloor } from '../../src/layers/descriptors.js';
import type { LbVipLayerResult } from '../../src/layers/result.js';
import { entrypointScript } from '../../src/layers/lb-vip/config.js';
import { loadDrillFile } from '../../src/spec/load-drill.js';

const VIP = '172.20.255.254';

/** strace's stamp (µs) of keepalived's request at ownMs (run clock), read by the engine 5 ms later. */
const addrCall = (ownMs: number, request: 'RTM_NEWADDR' | 'RTM_DELADDR', address = VIP, engineLagMs = 5): LogLine =>
  stampedLine(ownMs, `drill-trace ${Math.round((ORIGIN + ownMs) * 1000)} ${request} ${address}`, engineLagMs);

const killProxy = (atMs: number, over: Partial<FaultRecord> = {}): FaultRecord => faultAt('kill-process', 'drill-x-lb-1', atMs, { target: 'active-lb', process: 'haproxy', ...over });

/** lb-1 holds the VIP from its first election; its haproxy is killed at 3000; lb-1 gives the VIP up at 3200 and lb-2 takes it at 3262.5. */
function handover(over: Partial<VipFloorInput> = {}): VipFloorInput {
  return {
    vip: VIP,
    proxy: 'haproxy',
    lbContainers: ['drill-x-lb-1', 'drill-x-lb-2'],
    faults: [killProxy(3000)],
    logs: [
      log('drill-x-lb-1', [addrCall(10, 'RTM_DELADDR'), addrCall(500, 'RTM_NEWADDR'), stampedLine(600, 'drill-event 1 vrrp noise', 1), addrCall(3200, 'RTM_DELADDR')]),
      log('drill-x-lb-2', [addrCall(12, 'RTM_DELADDR'), addrCall(3262.5, 'RTM_NEWADDR')]),
    ],
    ...over,
  };
}

describe('vipTakeoverFloor: no write through the VIP before another node asked to add it', () => {
  it("the new holder's request, by strace's clock at its entry (minus the alignment margin), after the holder's proxy was killed", () => {
    const floor = vipTakeoverFloor(handover());
    assert.ok(floor);
    assert.equal(Math.round(floor.atMs * 1000) / 1000, 3262.4);
    // From when the proxy was certainly gone: kill-process returns once pgrep found none left.
    assert.equal(floor.sinceMs, 3030);
    assert.equal(floor.why, `lb-2's keepalived asked the kernel to add the VIP ${VIP} (strace)`);
    // The whole node killed (from the engine's exit, when every process of it is gone) or destroyed: the same.
    assert.equal(vipTakeoverFloor(handover({ faults: [faultAt('kill', 'drill-x-lb-1', 3000, { goneByMs: 3040 })] }))?.sinceMs, 3040);
    assert.equal(vipTakeoverFloor(handover({ faults: [faultAt('kill', 'drill-x-lb-1', 3000)] })), null, 'no exit seen: no moment by which the proxy was gone');
    assert.ok(vipTakeoverFloor(handover({ faults: [faultAt('destroy', 'drill-x-lb-1', 3000)] })));
    // Nginx in front: its own process.
    assert.ok(vipTakeoverFloor(handover({ proxy: 'nginx', faults: [killProxy(3000, { process: 'nginx' })] })));
  });

  it('no floor where the old holder may still serve, or the holder is not known', () => {
    // keepalived killed, not the proxy: lb-1 keeps the VIP and serves on.
    assert.equal(vipTakeoverFloor(handover({ faults: [killProxy(3000, { process: 'keepalived' })] })), null);
    // A stop hands the VIP over before the proxy ends; a pause serves again at the thaw.
    assert.equal(vipTakeoverFloor(handover({ faults: [faultAt('stop', 'drill-x-lb-1', 3000)] })), null);
    assert.equal(vipTakeoverFloor(handover({ faults: [faultAt('pause', 'drill-x-lb-1', 3000)] })), null);
    // The backup node's proxy killed: the holder never changed hands for it.
    assert.equal(vipTakeoverFloor(handover({ faults: [killProxy(3000, { container: 'drill-x-lb-2' })] })), null);
    // Both held the VIP at the fault (a VRRP split brain): writes could go either way.
    const split = handover();
    split.logs[1]!.lines.splice(1, 0, addrCall(1000, 'RTM_NEWADDR'));
    assert.equal(vipTakeoverFloor(split), null);
    // Started again, or another fault on it, before the new holder: it may have served meanwhile.
    assert.equal(vipTakeoverFloor(handover({ faults: [faultAt('kill', 'drill-x-lb-1', 3000, { goneByMs: 3040, healedAtMs: 3100 })] })), null);
    assert.equal(vipTakeoverFloor(handover({ faults: [killProxy(3000), faultAt('restart', 'drill-x-lb-1', 3100)] })), null);
    // No node took the VIP over.
    const none = handover();
    none.logs[1]!.lines.pop();
    assert.equal(vipTakeoverFloor(none), null);
    // A node without strace's lines (an older image), a line for another address only, or a stamp after the engine read the line.
    assert.equal(vipTakeoverFloor(handover({ logs: handover().logs.slice(0, 1) })), null);
    const other = handover();
    other.logs[1]!.lines = [addrCall(3262.5, 'RTM_NEWADDR', '10.0.0.9')];
    assert.equal(vipTakeoverFloor(other), null);
    const late = handover();
    late.logs[1]!.lines[1] = addrCall(3262.5, 'RTM_NEWADDR', VIP, -2);
    assert.equal(vipTakeoverFloor(late), null);
  });

  it('reached through the layer seam from the lb-vip result, and none for the other layer kinds', () => {
    const result = {
      kind: 'lb-vip',
      vip: VIP,
      proxy: 'haproxy',
      front: 'apps',
      healthCheck: { interMs: 500, fall: 2, rise: 2, timeoutMs: 500 },
      containers: [
        { name: 'drill-x-lb-1', role: 'lb', image: 'drill/lb' },
        { name: 'drill-x-lb-2', role: 'lb', image: 'drill/lb' },
      ],
    } as unknown as LbVipLayerResult;
    const { logs, faults } = handover();
    assert.equal(Math.round(layerRecoveryFloor(result, { logs, faults, primaryBefore: null, primaryAfter: null })!.atMs * 10) / 10, 3262.4);
    assert.equal(layerRecoveryFloor({ kind: 'monitoring' } as never, { logs, faults, primaryBefore: null, primaryAfter: null }), null);
  });

  it("each node's script runs keepalived under strace when the image has it, its requests' lines on the log as the floor reads them", async () => {
    const { spec } = await loadDrillFile('drills/lb-kill-proxy-process-tracked.yaml');
    const layer = spec.layers.find((l) => l.kind === 'lb-vip');
    assert.ok(layer);
    // Traced only where a floor needs it: the drill takes a holder's proxy away (or the front door is the database's).
    assert.equal(takesAProxyAway(spec.steps, layer.proxy), true);
    assert.doesNotMatch(entrypointScript(layer), /strace/);
    const script = entrypointScript(layer, { traceVip: true });
    assert.match(script, /strace -f -ttt -qq --seccomp-bpf -e trace=sendmsg -e signal=none -o >\(addr_calls\) keepalived /);
    assert.match(script, /grep --line-buffered -E 'nlmsg_type=RTM_\(NEW\|DEL\)ADDR' \| while IFS= read -r line/);
    assert.match(script, /else\n {2}\( keepalived -n -l -D -f \/etc\/keepalived\/drill\.conf 2>&1 \| stamp vrrp \) &\nfi/);
    // strace's line for the request, as strace 6.1 prints it, through the script's own pattern.
    const re = new RegExp(/local re='([^']+)'/.exec(script)![1]!);
    const line =
      '153   1796610499.622495 sendmsg(10, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base=[{nlmsg_len=32, nlmsg_type=RTM_NEWADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK, nlmsg_seq=1796610501, nlmsg_pid=0}, {ifa_family=AF_INET, ifa_prefixlen=32, ifa_flags=0, ifa_scope=RT_SCOPE_UNIVERSE, ifa_index=if_nametoindex("eth0")}, [{nla_len=8, nla_type=IFA_LOCAL}, inet_addr("10.99.0.99")]], iov_len=32}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 32';
    assert.deepEqual(re.exec(line)?.slice(1), ['1796610499', '622495', 'RTM_NEWADDR', '10.99.0.99']);
    // An advert (sendmsg to 224.0.0.18) is not a request on an address.
    assert.equal(re.exec('153   1796610500.624420 sendmsg(13, {msg_name={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("224.0.0.18")}, msg_namelen=16}, 0) = 40'), null);
  });

  it("keepalived is traced only in drills that take a holder's proxy away for good", async () => {
    const steps = async (file: string) => (await loadDrillFile(`drills/${file}.yaml`)).spec.steps;
    for (const file of ['lb-kill-active-haproxy', 'nginx-kill-active', 'lb-kill-proxy-process-tracked', 'lb-kill-proxy-process-untracked']) {
      assert.equal(takesAProxyAway(await steps(file), file.startsWith('nginx') ? 'nginx' : 'haproxy'), true, file);
    }
    for (const file of ['lb-vrrp-split-brain', 'lb-pause-active-haproxy', 'lb-stop-active-haproxy', 'lb-kill-app-instance', 'lb-redis-haproxy-kill-master']) {
      assert.equal(takesAProxyAway(await steps(file), 'haproxy'), false, file);
    }
    // keepalived killed alone: the proxy lives on.
    const keepalived = (await steps('lb-kill-proxy-process-tracked')).map((s) => (s.kind === 'fault' && s.fault === 'kill-process' ? { ...s, process: 'keepalived' } : s));
    assert.equal(takesAProxyAway(keepalived, 'haproxy'), false);
  });
});
