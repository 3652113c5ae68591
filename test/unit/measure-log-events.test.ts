import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demux, splitTimestamp } from '../../src/engine/container-logs.js';
import { eventsFromLogs, linkEventsToLogs } from '../../src/measure/log-events.js';
import type { NodeLog, TimelineEvent } from '../../src/measure/types.js';
import { logFileOf, renderNodeLog } from '../../src/outputs/write-logs.js';
import { readFile } from 'node:fs/promises';
import { renderReportHtml } from '../../src/report/html-report.js';
import type { ResultJson } from '../../src/report/result.js';
import { LOG_RULES } from '../../src/stacks/log-rules.js';
import { registerSecret } from '../../src/util/redact.js';

// Lines as MariaDB 10.11 and Redis 7.0 of this project's images wrote them in a real kill-primary drill.
const mariadbReplica: NodeLog = {
  node: 'db-2',
  container: 'drill-x-db-2',
  truncated: false,
  lines: [
    { atMs: -900, stamp: 's', text: "2026-12-02 11:36:32 8 [Note] Slave I/O thread: connected to master 'repl@drill-x-db-1:3306',replication starts at GTID position ''" },
    { atMs: 4070.7, stamp: 's', text: '2026-12-02 11:36:40 8 [ERROR] Error reading packet from server: Lost connection to server during query (server_errno=2013)' },
    { atMs: 4070.8, stamp: 's', text: "2026-12-02 11:36:40 8 [Note] Slave I/O thread: Failed reading log event, reconnecting to retry, log 'mysql-bin.000001' at position 323329" },
    { atMs: 4071.4, stamp: 's', text: "2026-12-02 11:36:40 8 [ERROR] Slave I/O: error reconnecting to master 'repl@drill-x-db-1:3306' - retry-time: 1  maximum-retries: 100000" },
    { atMs: 5073.8, stamp: 's', text: "2026-12-02 11:36:41 8 [ERROR] Slave I/O: error reconnecting to master 'repl@drill-x-db-1:3306' - retry-time: 1  maximum-retries: 100000" },
    { atMs: 5579.1, stamp: 's', text: "2026-12-02 11:36:42 39 [Note] Slave I/O thread: connected to master 'repl@drill-x-db-3:3306',replication starts at GTID position '0-1-1403'" },
    { atMs: 9000, stamp: 's', text: "2026-12-02 11:36:46 39 [ERROR] Slave I/O: error reconnecting to master 'repl@drill-x-db-3:3306'" },
  ],
};

describe('eventsFromLogs', () => {
  it('turns state changes in a replica’s log into events, once per change, from run-clock 0 on, each pointing to its line', () => {
    const events = eventsFromLogs([mariadbReplica], LOG_RULES.mysql);
    assert.deepEqual(
      events.map((e) => [e.atMs, e.marker, e.log]),
      [
        [4070.8, 'replica-link-lost', { node: 'db-2', line: 3 }],
        [5579.1, 'replica-link-up', { node: 'db-2', line: 6 }],
        [9000, 'replica-link-lost', { node: 'db-2', line: 7 }],
      ],
    );
    assert.equal(events[0]!.source, 'log');
    assert.match(events[0]!.message, /^db-2: replica lost its primary: .*Failed reading log event/);
  });

  it('keeps no time for a remote engine’s lines (another clock): no event from them', () => {
    const remote: NodeLog = { ...mariadbReplica, lines: mariadbReplica.lines.map((l) => ({ ...l, atMs: null })) };
    assert.deepEqual(eventsFromLogs([remote], LOG_RULES.mysql), []);
  });

  it('reads Redis’s own words for a lost master and a promotion', () => {
    const redis: NodeLog = {
      node: 'redis-2',
      container: 'drill-x-redis-2',
      truncated: false,
      lines: [
        { atMs: 5055.7, stamp: 's', text: '8:S 02 Dec 2026 11:36:06.517 # Connection with master lost.' },
        { atMs: 6411.8, stamp: 's', text: "8:M 02 Dec 2026 11:36:07.872 * MASTER MODE enabled (user request from 'id=7 addr=172.18.0.4:51978')" },
      ],
    };
    assert.deepEqual(
      eventsFromLogs([redis], LOG_RULES.redis).map((e) => e.marker),
      ['replica-link-lost', 'node-promoted'],
    );
  });
});

describe('linkEventsToLogs', () => {
  const sentinelLog: NodeLog = {
    node: 'sentinel-2',
    container: 'drill-x-sentinel-2',
    truncated: false,
    lines: [
      { atMs: 100, stamp: 's', text: '1:X 02 Dec 2026 11:36:00.000 # +sdown master drill 172.18.0.2 6379' },
      { atMs: 6070, stamp: 's', text: '1:X 02 Dec 2026 11:36:06.000 # +sdown master drill 172.18.0.2 6379' },
      { atMs: 6186, stamp: 's', text: '1:X 02 Dec 2026 11:36:06.100 # +odown master drill 172.18.0.2 6379 #quorum 2/2' },
    ],
  };
  const ev = (atMs: number, message: string): TimelineEvent => ({ atMs, source: 'sentinel', message });

  it('links a Pub/Sub event to the nearest line of the same Sentinel saying the same thing', () => {
    const [sdown, odown] = linkEventsToLogs(
      [ev(6071.6, 'drill-x-sentinel-2: +sdown master drill 172.18.0.2 6379'), ev(6187.9, 'drill-x-sentinel-2: +odown master drill 172.18.0.2 6379 #quorum 2/2')],
      [sentinelLog],
    );
    assert.deepEqual(sdown!.log, { node: 'sentinel-2', line: 2 });
    assert.deepEqual(odown!.log, { node: 'sentinel-2', line: 3 });
  });

  it('leaves unlinked what the node did not log near that time, or another node’s event', () => {
    const [far, other, unknown] = linkEventsToLogs(
      [
        ev(20_000, 'drill-x-sentinel-2: +sdown master drill 172.18.0.2 6379'),
        ev(6071, 'drill-x-sentinel-3: +sdown master drill 172.18.0.2 6379'),
        ev(6071, 'drill-x-sentinel-2: -role-change slave x'),
      ],
      [sentinelLog],
    );
    assert.equal(far!.log, undefined);
    assert.equal(other!.log, undefined);
    assert.equal(unknown!.log, undefined);
  });
});

describe('container logs as the engine gives them', () => {
  it('demultiplexes stdout and stderr frames, and passes a TTY log through', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    assert.equal(demux(Buffer.concat([frame(1, 'a out\n'), frame(2, 'b err\n'), frame(1, 'c')])), 'a out\nb err\nc');
    assert.equal(demux(Buffer.from('plain tty line\n')), 'plain tty line\n');
  });

  it('splits the engine’s nanosecond timestamp from the line', () => {
    const { stamp, epochMs, rest } = splitTimestamp('2026-12-02T11:35:53.673250251Z 8:C 02 Dec 2026 # Redis is starting');
    assert.equal(stamp, '2026-12-02T11:35:53.673250251Z');
    assert.ok(Math.abs(epochMs! - (Date.parse('2026-12-02T11:35:53Z') + 673.250251)) < 0.001);
    assert.equal(rest, '8:C 02 Dec 2026 # Redis is starting');
    assert.deepEqual(splitTimestamp('no stamp here'), { stamp: '', epochMs: null, rest: 'no stamp here' });
  });

  it('saves a log with secrets masked and a file name that cannot leave logs/', () => {
    registerSecret('s3cret-pass-42');
    const text = renderNodeLog({ node: 'db-1', container: 'c', truncated: false, lines: [{ atMs: 1, stamp: 'T', text: "CHANGE MASTER TO MASTER_PASSWORD='s3cret-pass-42'" }] });
    assert.equal(text, "T CHANGE MASTER TO MASTER_PASSWORD='***'\n");
    assert.equal(logFileOf('../../etc/passwd'), 'logs/.._.._etc_passwd.log');
  });
});

describe('report links to the saved files', () => {
  it('links events to their log line and lists the files, refusing links that are not plain files beside the report', async () => {
    const base = JSON.parse(await readFile('test/fixtures/results/pass-redis-kill-master.result.json', 'utf8')) as ResultJson;
    const result: ResultJson = {
      ...base,
      events: [...base.events, { atMs: 1, source: 'log' as const, message: 'db-2: replica lost its primary', marker: 'replica-link-lost' as const, log: { node: 'db-2', line: 3 } }],
      files: {
        writes: { file: 'writes.csv', writes: 10, bytes: 300 },
        logs: [
          { node: 'db-2', container: 'c2', file: 'logs/db-2.log', lines: 7, bytes: 900, truncated: false },
          { node: 'evil', container: 'c3', file: 'javascript:alert(1)', lines: 1, bytes: 1, truncated: false },
        ],
      },
    };
    const html = renderReportHtml(result);
    assert.match(html, /<a href="logs\/db-2.log" data-testid="log-link" data-line="3"><code>db-2.log:3<\/code><\/a>/);
    assert.match(html, /<a href="writes.csv" data-testid="writes-file">/);
    assert.ok(!html.includes('javascript:'), 'a hostile path became a link');
  });
});
