#!/usr/bin/env bash
# How long after acting does the engine stamp its `kill` / `pause` event? (src/faults/container/engine-event-lag.ts)
#
# A container of drill's redis image runs a Node.js loop that writes the host clock (µs) into a
# bind-mounted file every ~1 ms. After each `docker kill` / `docker pause`, the file holds the last value
# written before the signal or the freeze, so event TimeNano − that value over-estimates the lag (the
# loop's period and any delay of its own are counted in). `burners` Node.js busy loops keep cores busy.
#
# usage: bash bench/engine-event-lag.sh [rounds=20] [burners=0]     (root or the docker group; ~1.5 s a round)
set -euo pipefail
rounds=${1:-20}
burners=${2:-0}
image=$(docker images drill/redis --format '{{.Repository}}:{{.Tag}}' | head -1)
[ -n "$image" ] || { echo "no drill/redis image: node bin/drill.js images --build" >&2; exit 2; }
dir=$(mktemp -d)
name=drill-bench-event-lag-$$
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  docker rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/st"
for _ in $(seq 1 "$burners"); do node -e 'for (;;);' & pids+=($!); done
docker run -d --name "$name" -v "$dir/st:/st" --entrypoint node "$image" -e "
const fs = require('fs'); const { performance } = require('perf_hooks'); const fd = fs.openSync('/st/stamp', 'w');
setInterval(() => fs.writeSync(fd, (performance.timeOrigin + performance.now()).toFixed(3).padStart(20, '0'), 0), 1);" >/dev/null
docker events --filter "container=$name" --format '{{.TimeNano}} {{.Action}}' >"$dir/events" &
pids+=($!)
sleep 1.5
for i in $(seq 1 "$rounds"); do
  for act in pause kill; do
    # The loop must be running (after a start it takes a moment): a stale stamp would say nothing.
    until node -e "const t = Number(require('fs').readFileSync('$dir/st/stamp', 'utf8')); process.exit(Date.now() - t < 20 ? 0 : 1)" 2>/dev/null; do sleep 0.1; done
    c0=$(date +%s%N)
    docker "$act" "$name" >/dev/null
    c1=$(date +%s%N)
    echo "$act $c0 $c1 $(cat "$dir/st/stamp")" >>"$dir/calls"
    if [ "$act" = pause ]; then docker unpause "$name" >/dev/null; else docker start "$name" >/dev/null; fi
    sleep 0.6
  done
done
sleep 0.5
node -e "
const fs = require('fs');
const ms = (ns) => Number(BigInt(ns) / 1000n) / 1000;
const events = fs.readFileSync('$dir/events', 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([t, a]) => ({ t: ms(t), a }));
const spans = { kill: [], pause: [] };
for (const line of fs.readFileSync('$dir/calls', 'utf8').trim().split('\n')) {
  const [a, c0, c1, stamp] = line.split(' ');
  const e = events.find((x) => x.a === a && x.t >= ms(c0) && x.t <= ms(c1) + 50);
  if (e) spans[a].push(e.t - Number(stamp));
}
for (const [a, v] of Object.entries(spans)) {
  v.sort((x, y) => x - y);
  const q = (p) => v[Math.min(v.length - 1, Math.floor(v.length * p))].toFixed(1);
  console.log(a + ': n=' + v.length + ' event − last write: min ' + q(0) + ' median ' + q(0.5) + ' p90 ' + q(0.9) + ' max ' + q(1) + ' ms');
}"
