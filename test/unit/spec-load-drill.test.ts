import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DrillFileError, MAX_DRILL_FILE_BYTES, formatFileProblem, loadDrillFile, parseDrillText, type FileProblem } from '../../src/spec/load-drill.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'drill-spec-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function write(content: string | Buffer, ext = 'yaml'): Promise<string> {
  const file = path.join(dir, `case-${++counter}.${ext}`);
  await writeFile(file, content);
  return file;
}

/** The errors loadDrillFile reports for `file`, without the file name (checked separately). */
async function errorsOfFile(file: string): Promise<Omit<FileProblem, 'file'>[]> {
  try {
    await loadDrillFile(file);
  } catch (error) {
    assert.ok(error instanceof DrillFileError, `not a DrillFileError: ${String(error)}`);
    assert.equal(error.file, file);
    for (const e of error.errors) assert.equal(e.file, file);
    assert.doesNotMatch(error.message, /\n\s+at /, 'a stack trace in the message');
    return error.errors.map(({ file: _file, ...rest }) => rest);
  }
  assert.fail(`${file} was accepted`);
}

async function errorsOf(text: string | Buffer, ext = 'yaml') {
  return errorsOfFile(await write(text, ext));
}

const VALID = `name: kill-master
description: Kill the master
stack:
  kind: redis-sentinel
  replicas: 2
  sentinels: 3
  quorum: 2
  sentinel:
    downAfter: 1000ms
    failoverTimeout: 5s
  redisConfig:
    min-replicas-to-write: 1
    appendonly: "yes"
load:
  rate: 300
  connections: 16
  timeout: 1s
  warmup: 3s
  duration: 15s
steps:
  - at: 5s
    fault: kill
    target: primary
  - waitFor: recovered
    timeout: 30s
objectives:
  rto: 10s
  lostWrites: 0
  unexpectedWrites: 0
measure:
  stable: 2s
  bucket: 50ms
`;

/** No stop condition: the default of `abortIf`. */
const NO_ABORT = { errorRate: undefined, p99Latency: undefined, recoveryDeadlineMs: undefined };

const EXPECTED = {
  name: 'kill-master',
  description: 'Kill the master',
  layers: [],
  stack: {
    kind: 'redis-sentinel',
    replicas: 2,
    sentinels: 3,
    quorum: 2,
    sentinel: { downAfterMs: 1000, failoverTimeoutMs: 5000, parallelSyncs: 1 },
    apps: 1,
    redisConfig: { 'min-replicas-to-write': 1, appendonly: 'yes' },
    disk: 'plain',
  },
  load: { rate: 300, connections: 16, timeoutMs: 1000, warmupMs: 3000, durationMs: 15000 },
  steps: [
    { kind: 'fault', atMs: 5000, fault: 'kill', target: 'primary', durationMs: undefined, signal: 'SIGKILL' },
    { kind: 'waitFor', condition: 'recovered', timeoutMs: 30000 },
  ],
  objectives: { rtoMs: 10000, downtimeMs: undefined, lostWrites: 0, rpoMs: undefined, unexpectedWrites: 0, availability: undefined },
  measure: { stableMs: 2000, bucketMs: 50 },
  abortIf: NO_ABORT,
};

/** The smallest valid drill, with one line replaced or added by each test. */
const MINIMAL = ['name: t', 'stack:', '  kind: redis-sentinel', 'load:', '  rate: 100', '  duration: 10s', 'steps:', '  - at: 2s', '    fault: kill', '    target: primary'];
function minimal(edit: (lines: string[]) => void): string {
  const lines = [...MINIMAL];
  edit(lines);
  return `${lines.join('\n')}\n`;
}

describe('loadDrillFile: valid files', () => {
  it('parses a full YAML drill into the internal shape (ms, kind, defaults)', async () => {
    const file = await write(VALID);
    const loaded = await loadDrillFile(file);
    assert.deepEqual(loaded.spec, EXPECTED);
    assert.equal(loaded.file, file);
    assert.equal(loaded.source, VALID);
    assert.equal(loaded.sha256, createHash('sha256').update(VALID).digest('hex'));
  });

  it('fills in every default of a minimal drill', () => {
    const spec = parseDrillText(
      minimal(() => {}),
      'min.yaml',
    );
    assert.deepEqual(spec, {
      name: 't',
      description: '',
      layers: [],
      stack: { kind: 'redis-sentinel', replicas: 1, sentinels: 3, sentinel: { downAfterMs: 1000, failoverTimeoutMs: 5000, parallelSyncs: 1 }, apps: 1, redisConfig: {}, disk: 'plain' },
      load: { rate: 100, connections: 16, timeoutMs: 1000, warmupMs: 3000, durationMs: 10000 },
      steps: [{ kind: 'fault', atMs: 2000, fault: 'kill', target: 'primary', durationMs: undefined, signal: 'SIGKILL' }],
      objectives: { rtoMs: undefined, downtimeMs: undefined, lostWrites: undefined, rpoMs: undefined, unexpectedWrites: 0, availability: undefined },
      measure: { stableMs: 1000, bucketMs: 100 },
      abortIf: NO_ABORT,
    });
  });

  it('parses the same drill written as JSON to the same spec', async () => {
    const json = {
      name: 'kill-master',
      description: 'Kill the master',
      stack: { kind: 'redis-sentinel', replicas: 2, sentinels: 3, quorum: 2, sentinel: { downAfter: '1000ms', failoverTimeout: 5000 }, redisConfig: { 'min-replicas-to-write': 1, appendonly: 'yes' } },
      load: { rate: 300, connections: 16, timeout: '1s', warmup: '3s', duration: '15s' },
      steps: [
        { at: '5s', fault: 'kill', target: 'primary' },
        { waitFor: 'recovered', timeout: '30s' },
      ],
      objectives: { rto: '10s', lostWrites: 0, unexpectedWrites: 0 },
      measure: { stable: '2s', bucket: 50 },
    };
    const loaded = await loadDrillFile(await write(JSON.stringify(json, null, '\t'), 'json'));
    assert.deepEqual(loaded.spec, EXPECTED);
  });

  it('accepts a UTF-8 byte-order mark, CRLF line ends and YAML anchors', async () => {
    const text = `\uFEFF${minimal((l) => l.push('objectives: &o', '  rto: 5s'))}`.replace(/\n/g, '\r\n');
    const loaded = await loadDrillFile(await write(text));
    assert.equal(loaded.spec.objectives.rtoMs, 5000);
  });
});

describe('loadDrillFile: schema errors point at the line', () => {
  it('wrong enum value: the value, with what was expected', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => (l[8] = '    fault: explode'))), [
      {
        line: 9,
        column: 12,
        path: 'steps[0].fault',
        message:
          'expected one of "kill", "kill-process", "stop", "pause", "restart", "partition", "isolate", "loss", "latency", "power-loss", "destroy", "site-loss", "operator-mistake", "corrupt-backup", "break-binlog-chain", "backup-store-down", got "explode"',
      },
    ]);
  });

  it('unknown key: the key, with a did-you-mean (and no echo about the missing key)', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => (l[4] = '  rat: 100'))), [{ line: 5, column: 3, path: 'load', message: 'unknown key "rat" (did you mean "rate"?)' }]);
  });

  it('wrong type: expected an integer, got a string', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => (l[4] = '  rate: fast'))), [{ line: 5, column: 9, path: 'load.rate', message: 'expected an integer, got string "fast"' }]);
  });

  it('missing required key: the line of the parent mapping', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => l.splice(5, 1))), [
      { line: 4, column: 1, path: 'load', message: 'missing required key "duration" (expected a duration such as "5s", "250ms", "2m" or a number of ms)' },
    ]);
    assert.deepEqual(await errorsOf(minimal((l) => l.splice(9, 1))), [
      {
        line: 8,
        column: 5,
        path: 'steps[0]',
        message:
          'missing required key "target" (expected "primary", "replica", "any-replica", "sentinel", "app", "active-lb", "backup-lb", "leader", "sync-standby", "etcd", "etcd-leader", "haproxy" or a node name such as "db-2")',
      },
    ]);
  });

  it('several errors at once, in file order', async () => {
    const text = ['name: Bad Name', 'stack:', '  kind: redis-sentinl', 'load:', '  rate: 0', '  duration: 15', 'steps:', '  - at: 1s', '    faut: kill', '  - 5', 'rto: 5s', ''].join('\n');
    assert.deepEqual(await errorsOf(text), [
      { line: 1, column: 7, path: 'name', message: 'expected a name of lower-case letters, digits, ".", "_" or "-", at most 63 characters, got "Bad Name"' },
      {
        line: 3,
        column: 9,
        path: 'stack.kind',
        message: 'expected one of "redis-sentinel", "mysql-replication", "postgres", "patroni", "compose", got "redis-sentinl" (did you mean "redis-sentinel"?)',
      },
      { line: 5, column: 9, path: 'load.rate', message: 'expected an integer from 1 to 20000, got 0' },
      { line: 6, column: 13, path: 'load.duration', message: 'expected a duration of at least 1s, got 15 (a bare number is milliseconds; write "15s" for seconds)' },
      {
        line: 8,
        column: 5,
        path: 'steps[0]',
        message:
          'expected one of the keys "fault", "action", "wait", "waitFor" to say what this is (fault: kill|kill-process|stop|pause|restart|partition|isolate|loss|latency|power-loss|destroy|site-loss|operator-mistake|corrupt-backup|break-binlog-chain|backup-store-down, action: promote|repoint|switchover|failback|rejoin|restore|restore-check, wait: <duration> or waitFor: recovered), got keys "at", "faut"',
      },
      { line: 9, column: 5, path: 'steps[0]', message: 'unknown key "faut" (did you mean "fault"?)' },
      {
        line: 10,
        column: 5,
        path: 'steps[1]',
        message:
          'expected a mapping (fault: kill|kill-process|stop|pause|restart|partition|isolate|loss|latency|power-loss|destroy|site-loss|operator-mistake|corrupt-backup|break-binlog-chain|backup-store-down, action: promote|repoint|switchover|failback|rejoin|restore|restore-check, wait: <duration> or waitFor: recovered), got 5',
      },
      { line: 11, column: 1, path: '', message: 'unknown key "rto" (it belongs in "objectives")' },
    ]);
  });

  it('unknown keys in a step are matched against that kind of step', async () => {
    const text = minimal((l) => l.push('    signl: SIGTERM', '    color: red', '  - waitFor: recovered', '    timeot: 5s'));
    assert.deepEqual(await errorsOf(text), [
      { line: 11, column: 5, path: 'steps[0]', message: 'unknown key "signl" (did you mean "signal"?)' },
      { line: 12, column: 5, path: 'steps[0]', message: 'unknown key "color" (expected one of "at", "target", "duration", "fault", "signal")' },
      { line: 14, column: 5, path: 'steps[1]', message: 'unknown key "timeot" (did you mean "timeout"?)' },
    ]);
  });

  it('JSON files get line numbers too', async () => {
    const text = '{\n  "name": "j",\n  "stack": {"kind": "redis-sentinel"},\n  "load": {"rate": "fast", "duration": "10s"},\n  "steps": [{"at": "1s", "fault": "kill", "target": "primary"}]\n}\n';
    assert.deepEqual(await errorsOf(text, 'json'), [{ line: 4, column: 20, path: 'load.rate', message: 'expected an integer, got string "fast"' }]);
  });

  it('the message is one `file:line:column: path: message` line per error', async () => {
    const file = await write(minimal((l) => ((l[4] = '  rate: fast'), (l[8] = '    fault: explode'))));
    await assert.rejects(loadDrillFile(file), (error: unknown) => {
      assert.ok(error instanceof DrillFileError);
      assert.equal(
        error.message,
        `${file}:5:9: load.rate: expected an integer, got string "fast"\n${file}:9:12: steps[0].fault: expected one of "kill", "kill-process", "stop", "pause", "restart", "partition", "isolate", "loss", "latency", "power-loss", "destroy", "site-loss", "operator-mistake", "corrupt-backup", "break-binlog-chain", "backup-store-down", got "explode"`,
      );
      return true;
    });
  });
});

describe('loadDrillFile: rules across fields', () => {
  it('needs at least one fault step', async () => {
    const text = minimal((l) => l.splice(7, 3, '  - waitFor: recovered'));
    assert.deepEqual(await errorsOf(text), [
      {
        line: 7,
        column: 1,
        path: 'steps',
        message:
          'expected at least one fault step (e.g. "- { at: 5s, fault: kill, target: primary }") or planned switchover ("- { at: 5s, action: switchover }"), got only waitFor steps: a drill must break or change something',
      },
    ]);
  });

  it('fault steps inside the load, in increasing order; quorum <= sentinels; stable < duration', async () => {
    const text = [
      'name: t',
      'stack:',
      '  kind: redis-sentinel',
      '  sentinels: 3',
      '  quorum: 4',
      'load:',
      '  rate: 100',
      '  duration: 10s',
      'steps:',
      '  - at: 8s',
      '    fault: kill',
      '    target: primary',
      '  - at: 3s',
      '    fault: kill',
      '    target: primary',
      '  - at: 12s',
      '    fault: kill',
      '    target: primary',
      'measure:',
      '  stable: 10s',
      '',
    ].join('\n');
    assert.deepEqual(await errorsOf(text), [
      { line: 5, column: 11, path: 'stack.quorum', message: 'expected at most stack.sentinels (3), got 4: that quorum can never be reached' },
      { line: 13, column: 9, path: 'steps[1].at', message: 'fault steps must be in increasing "at" order: got 3s, not after steps[0].at (8s)' },
      { line: 16, column: 9, path: 'steps[2].at', message: 'expected a time before the end of the load (load.duration: 10s), got 12s: the fault would hit an idle system' },
      { line: 20, column: 11, path: 'measure.stable', message: 'expected a window shorter than load.duration (10s), got 10s: recovery could never be observed' },
    ]);
  });

  it('an availability objective: a percentage, and only with availability.mtbf beside it', async () => {
    const objective = (value: string) => minimal((l) => l.push('objectives:', `  availability: ${value}`));
    assert.deepEqual(await errorsOf(objective('"99.99%"')), [
      {
        line: 12,
        column: 17,
        path: 'objectives.availability',
        message: 'expected availability.mtbf beside it (e.g. `availability: { mtbf: 90d }`): availability is MTBF / (MTBF + RTO), and without an MTBF it cannot be worked out',
      },
    ]);
    assert.match((await errorsOf(objective('0.9999')))[0]!.message, /percentage such as "99.99%"/);
    const file = await write(minimal((l) => l.push('objectives:', '  availability: 99.95%', 'availability:', '  mtbf: 30d')));
    const { spec } = await loadDrillFile(file);
    assert.equal(spec.objectives.availability, 99.95);
    assert.deepEqual(spec.availability, { mtbfMs: 30 * 86_400_000 });
  });

  it('a default stable window too long for a short load points at load.duration', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => ((l[5] = '  duration: 1s'), (l[7] = '  - at: 500ms')))), [
      { line: 6, column: 13, path: 'measure.stable', message: 'expected a window shorter than load.duration (1s), got 1s (the default): recovery could never be observed' },
    ]);
  });
});

describe('loadDrillFile: switchover, rejoin, failback and per-event objectives', () => {
  it('accepts a whole cycle with objectives per kind of event', () => {
    const spec = parseDrillText(
      mysql((l) =>
        l.push(
          '  - waitFor: recovered',
          '  - action: rejoin',
          '    errant: rebuild',
          '  - action: failback',
          '  - at: 15s',
          '    action: switchover',
          '    to: db-3',
          'objectives:',
          '  rto: 10s',
          '  failover: { rto: 5s, lostWrites: 0 }',
          '  rejoin: { within: 30s, errantTransactions: 0 }',
          '  failback: { lostWrites: 0 }',
          '  switchover: { downtime: 1s, within: 3s }',
        ),
      ),
      'cycle.yaml',
    );
    assert.deepEqual(
      spec.steps.filter((s) => s.kind === 'action'),
      [
        { kind: 'action', action: 'rejoin', atMs: undefined, node: 'former-primary', errant: 'rebuild', timeoutMs: 60_000 },
        { kind: 'action', action: 'failback', atMs: undefined, timeoutMs: 60_000 },
        { kind: 'action', action: 'switchover', atMs: 15_000, to: 'db-3', timeoutMs: 30_000 },
      ],
    );
    assert.equal(spec.objectives.rtoMs, 10_000);
    const events = spec.objectives.events;
    assert.ok(events?.switchover);
    assert.deepEqual(events.rejoin, { rtoMs: undefined, downtimeMs: undefined, lostWrites: undefined, withinMs: 30_000, errantTransactions: 0 });
    assert.equal(events.switchover.downtimeMs, 1000);
  });

  it('a drill of one planned switchover is a drill; objectives for an event the steps do not have are refused', async () => {
    const switchoverOnly = mysql((l) => l.splice(8, 3, '  - at: 5s', '    action: switchover'));
    assert.equal(parseDrillText(switchoverOnly, 'ok.yaml').steps.length, 1);
    assert.deepEqual(await errorsOf(`${switchoverOnly}objectives:\n  rejoin: { within: 10s }\n`), [
      { line: 12, column: 3, path: 'objectives.rejoin', message: 'expected a "action: rejoin" step for these objectives to judge, got none in steps: remove objectives.rejoin or add the step' },
    ]);
  });

  it('names a node the stack has, and refuses these steps where drill does not own the nodes', async () => {
    assert.deepEqual(await errorsOf(mysql((l) => l.push('  - action: switchover', '    to: db-9'))), [
      { line: 13, column: 9, path: 'steps[1].to', message: 'expected "best" or a data node of this stack (db-1, db-2, db-3), got "db-9": stack.replicas is 2' },
    ]);
    assert.deepEqual(await errorsOf(mysql((l) => l.push('  - action: rejoin', '    node: redis-1'))), [
      { line: 13, column: 11, path: 'steps[1].node', message: 'expected "former-primary" or a data node of this stack (db-1, db-2, db-3), got "redis-1": stack.replicas is 2' },
    ]);
  });

  it('refuses an errant-transactions objective on Redis, which has none', async () => {
    const redis = [
      'name: r',
      'stack:',
      '  kind: redis-sentinel',
      'load:',
      '  rate: 100',
      '  duration: 20s',
      'steps:',
      '  - at: 5s',
      '    fault: kill',
      '    target: primary',
      '  - action: rejoin',
      'objectives:',
      '  rejoin: { errantTransactions: 0 }',
      '',
    ].join('\n');
    const errors = await errorsOf(redis);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, 'objectives.rejoin.errantTransactions');
    assert.match(errors[0]!.message, /a returning master is resynced/);
  });
});

/** A small valid MySQL drill: line numbers below count from it (each test adds or replaces lines). */
const MYSQL = ['name: m', 'stack:', '  kind: mysql-replication', '  replicas: 2', 'load:', '  rate: 100', '  duration: 20s', 'steps:', '  - at: 5s', '    fault: kill', '    target: primary'];
function mysql(edit: (lines: string[]) => void): string {
  const lines = [...MYSQL];
  edit(lines);
  return `${lines.join('\n')}\n`;
}

describe('loadDrillFile: faults, targets and runbooks across fields', () => {
  it('accepts every fault, role and node of the stack, and a whole runbook', () => {
    const spec = parseDrillText(
      mysql((l) =>
        l.push(
          '  - at: 6s',
          '    fault: stop',
          '    target: db-3',
          '    timeout: 2s',
          '    duration: 3s',
          '  - at: 7s',
          '    fault: pause',
          '    target: any-replica',
          '    duration: 500ms',
          '  - at: 8s',
          '    fault: restart',
          '    target: app-1',
          '  - wait: 1s',
          '  - action: promote',
          '    candidate: db-1',
          '    catchUp: false',
          '  - at: 12s',
          '    action: repoint',
          '  - waitFor: recovered',
        ),
      ),
      'ok.yaml',
    );
    assert.deepEqual(spec.steps, [
      { kind: 'fault', fault: 'kill', atMs: 5000, target: 'primary', durationMs: undefined, signal: 'SIGKILL' },
      { kind: 'fault', fault: 'stop', atMs: 6000, target: 'db-3', durationMs: 3000, stopTimeoutMs: 2000 },
      { kind: 'fault', fault: 'pause', atMs: 7000, target: 'any-replica', durationMs: 500 },
      { kind: 'fault', fault: 'restart', atMs: 8000, target: 'app-1', durationMs: undefined, stopTimeoutMs: 10_000 },
      { kind: 'wait', waitMs: 1000 },
      { kind: 'action', action: 'promote', atMs: undefined, candidate: 'db-1', catchUp: false, timeoutMs: 30_000 },
      { kind: 'action', action: 'repoint', atMs: 12_000, timeoutMs: 30_000 },
      { kind: 'waitFor', condition: 'recovered', timeoutMs: 60_000 },
    ]);
    const redis = parseDrillText(
      minimal((l) =>
        l.push('  - at: 3s', '    fault: pause', '    target: sentinel-3', '  - at: 4s', '    fault: kill', '    target: redis-2', '  - at: 5s', '    fault: stop', '    target: sentinel'),
      ),
      'r.yaml',
    );
    assert.deepEqual(
      redis.steps.map((s) => (s.kind === 'fault' ? s.target : s.kind)),
      ['primary', 'sentinel-3', 'redis-2', 'sentinel'],
    );
  });

  it('runbook steps only with mysql-replication: Redis fails over by itself', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => l.push('  - action: promote', '  - wait: 1s', '  - action: repoint'))), [
      {
        line: 11,
        column: 13,
        path: 'steps[1].action',
        message: 'runbook step "promote" needs stack kind mysql-replication, got redis-sentinel: Redis fails over by itself (Sentinel promotes a replica); remove this step',
      },
      {
        line: 13,
        column: 13,
        path: 'steps[3].action',
        message: 'runbook step "repoint" needs stack kind mysql-replication, got redis-sentinel: Redis fails over by itself (Sentinel promotes a replica); remove this step',
      },
    ]);
  });

  it('runbook steps not with failover.mode auto: the detector runs the runbook', async () => {
    assert.deepEqual(await errorsOf(mysql((l) => (l.splice(4, 0, '  failover:', '    mode: auto'), l.push('  - action: promote')))), [
      {
        line: 14,
        column: 13,
        path: 'steps[1].action',
        message:
          'runbook step "promote" with stack.failover.mode auto: drill\'s detector runs the runbook (promote, repoint) by itself when the primary dies; remove this step, or set failover.mode: runbook to run the steps yourself',
      },
    ]);
  });

  it('a promote candidate must be a node of the stack (db-1 is allowed: it may be a replica by then)', async () => {
    assert.deepEqual(
      await errorsOf(
        mysql((l) =>
          l.push(
            '  - action: promote',
            '    candidate: db-4',
            '  - action: promote',
            '    candidate: db-0',
            '  - action: promote',
            '    candidate: db-02',
            '  - action: promote',
            '    candidate: db-1',
          ),
        ),
      ),
      [
        { line: 13, column: 16, path: 'steps[1].candidate', message: 'expected "most-advanced" or a database node of this stack (db-1 … db-3), got "db-4": stack.replicas is 2' },
        { line: 15, column: 16, path: 'steps[2].candidate', message: 'expected "most-advanced" or a database node of this stack (db-1 … db-3), got "db-0": stack.replicas is 2' },
        { line: 17, column: 16, path: 'steps[3].candidate', message: 'expected "most-advanced" or a database node of this stack (db-1 … db-3), got "db-02": stack.replicas is 2' },
      ],
    );
    assert.deepEqual(await errorsOf(mysql((l) => (l.splice(3, 1), l.push('  - action: promote', '    candidate: db-3')))), [
      { line: 12, column: 16, path: 'steps[1].candidate', message: 'expected "most-advanced" or a database node of this stack (db-1, db-2), got "db-3": stack.replicas is 1 (the default)' },
    ]);
    assert.deepEqual(await errorsOf(mysql((l) => l.push('  - action: promote', '    candidate: best'))), [
      { line: 13, column: 16, path: 'steps[1].candidate', message: 'expected "most-advanced" or a node name such as "db-2", got "best"' },
    ]);
  });

  it('delayedReplica.node must be a replica', async () => {
    assert.deepEqual(await errorsOf(mysql((l) => l.splice(4, 0, '  delayedReplica:', '    node: db-1', '    delay: 5s'))), [
      { line: 6, column: 11, path: 'stack.delayedReplica.node', message: 'expected a replica node (db-2, db-3; db-1 starts as the primary), got "db-1"' },
    ]);
    assert.deepEqual(await errorsOf(mysql((l) => l.splice(4, 0, '  delayedReplica:', '    node: db-4', '    delay: 5s'))), [
      { line: 6, column: 11, path: 'stack.delayedReplica.node', message: 'expected a replica node (db-2, db-3; db-1 starts as the primary), got "db-4": stack.replicas is 2' },
    ]);
    assert.equal(
      parseDrillText(
        mysql((l) => l.splice(4, 0, '  delayedReplica:', '    node: db-3', '    delay: 5s')),
        'ok.yaml',
      ).stack.kind,
      'mysql-replication',
    );
  });

  it('node-name targets must exist in the stack; the role sentinel only with redis-sentinel', async () => {
    const target = (at: string, node: string) => [`  - at: ${at}`, '    fault: kill', `    target: ${node}`];
    assert.deepEqual(await errorsOf(mysql((l) => l.push(...target('6s', 'sentinel'), ...target('7s', 'db-4'), ...target('8s', 'redis-1'), ...target('9s', 'app-2'), ...target('10s', 'db-3')))), [
      {
        line: 14,
        column: 13,
        path: 'steps[1].target',
        message:
          'expected a role (primary, replica, any-replica, app) or a node of this mysql-replication stack (db-1 … db-3, app-1), got "sentinel": only a redis-sentinel stack has Sentinels (a mysql-replication stack fails over by runbook or by drill\'s detector)',
      },
      {
        line: 17,
        column: 13,
        path: 'steps[2].target',
        message: 'expected a role (primary, replica, any-replica, app) or a node of this mysql-replication stack (db-1 … db-3, app-1), got "db-4": stack.replicas is 2',
      },
      {
        line: 20,
        column: 13,
        path: 'steps[3].target',
        message: 'expected a role (primary, replica, any-replica, app) or a node of this mysql-replication stack (db-1 … db-3, app-1), got "redis-1": "redis-…" nodes are in redis-sentinel stacks',
      },
      {
        line: 23,
        column: 13,
        path: 'steps[4].target',
        message: 'expected a role (primary, replica, any-replica, app) or a node of this mysql-replication stack (db-1 … db-3, app-1), got "app-2": a mysql-replication stack has one app node, app-1',
      },
    ]);
    assert.deepEqual(
      await errorsOf(
        minimal((l) => l.push('  - at: 3s', '    fault: kill', '    target: redis-3', '  - at: 4s', '    fault: kill', '    target: sentinel-4', '  - at: 5s', '    fault: kill', '    target: db-1')),
      ),
      [
        {
          line: 13,
          column: 13,
          path: 'steps[1].target',
          message:
            'expected a role (primary, replica, any-replica, sentinel, app) or a node of this redis-sentinel stack (redis-1, redis-2, sentinel-1 … sentinel-3, app-1), got "redis-3": stack.replicas is 1 (the default)',
        },
        {
          line: 16,
          column: 13,
          path: 'steps[2].target',
          message:
            'expected a role (primary, replica, any-replica, sentinel, app) or a node of this redis-sentinel stack (redis-1, redis-2, sentinel-1 … sentinel-3, app-1), got "sentinel-4": stack.sentinels is 3 (the default)',
        },
        {
          line: 19,
          column: 13,
          path: 'steps[3].target',
          message:
            'expected a role (primary, replica, any-replica, sentinel, app) or a node of this redis-sentinel stack (redis-1, redis-2, sentinel-1 … sentinel-3, app-1), got "db-1": "db-…" nodes are in mysql-replication stacks',
        },
      ],
    );
  });

  it('network faults: group members and loss targets must exist; loss takes target or between', async () => {
    const base = ['name: n', 'stack:', '  kind: redis-sentinel', '  apps: 2', 'load:', '  rate: 100', '  duration: 20s', 'steps:'];
    const text = (...steps: string[]) => `${[...base, ...steps].join('\n')}\n`;
    assert.equal(
      parseDrillText(
        text(
          '  - at: 2s',
          '    fault: partition',
          '    groups: [[primary, app-2], [replicas, sentinels, app-1]]',
          '    duration: 2s',
          '  - at: 5s',
          '    fault: loss',
          '    between: [[apps], [primary]]',
          '    percent: 5',
          '  - at: 6s',
          '    fault: isolate',
          '    target: sentinel-3',
          '  - at: 7s',
          '    fault: latency',
          '    target: app-2',
          '    delay: 50ms',
        ),
        'ok.yaml',
      ).steps.length,
      4,
    );
    assert.deepEqual(await errorsOf(text('  - at: 2s', '    fault: partition', '    groups: [[primary, app-3], [replicas, db-1]]')), [
      {
        line: 11,
        column: 24,
        path: 'steps[0].groups[0][1]',
        message:
          'expected a role (primary, replica, any-replica, sentinel, app, replicas, sentinels, apps, runner) or a node of this redis-sentinel stack (redis-1, redis-2, sentinel-1 … sentinel-3, app-1, app-2), got "app-3": stack.apps is 2',
      },
      {
        line: 11,
        column: 43,
        path: 'steps[0].groups[1][1]',
        message:
          'expected a role (primary, replica, any-replica, sentinel, app, replicas, sentinels, apps, runner) or a node of this redis-sentinel stack (redis-1, redis-2, sentinel-1 … sentinel-3, app-1, app-2), got "db-1": "db-…" nodes are in mysql-replication stacks',
      },
    ]);
    assert.deepEqual(
      await errorsOf(text('  - at: 2s', '    fault: loss', '    percent: 5', '  - at: 3s', '    fault: loss', '    target: primary', '    between: [[app-1], [primary]]', '    percent: 5')),
      [
        { line: 9, column: 5, path: 'steps[0]', message: 'missing key "target" or "between": expected the node whose packets are dropped (target) or two groups (between)' },
        { line: 15, column: 5, path: 'steps[1].between', message: 'expected either target (loss to and from one node) or between (loss between two groups), got both' },
      ],
    );
    assert.deepEqual(await errorsOf(text('  - at: 2s', '    fault: isolate', '    target: apps')), [
      {
        line: 11,
        column: 13,
        path: 'steps[0].target',
        message:
          'expected "primary", "replica", "any-replica", "sentinel", "app", "active-lb", "backup-lb", "leader", "sync-standby", "etcd", "etcd-leader", "haproxy" or a node name such as "db-2", got "apps" (did you mean "app"?)',
      },
    ]);
    assert.deepEqual(await errorsOf(mysql((l) => l.push('  - at: 6s', '    fault: partition', '    groups: [[primary], [sentinels, app-2]]'))), [
      {
        line: 14,
        column: 26,
        path: 'steps[1].groups[1][0]',
        message:
          'expected a role (primary, replica, any-replica, app, replicas, apps, runner) or a node of this mysql-replication stack (db-1 … db-3, app-1), got "sentinels": only a redis-sentinel stack has Sentinels (a mysql-replication stack fails over by runbook or by drill\'s detector)',
      },
      {
        line: 14,
        column: 37,
        path: 'steps[1].groups[1][1]',
        message:
          'expected a role (primary, replica, any-replica, app, replicas, apps, runner) or a node of this mysql-replication stack (db-1 … db-3, app-1), got "app-2": a mysql-replication stack has one app node, app-1',
      },
    ]);
  });

  it('a fault must heal before the load ends', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => l.push('    duration: 8s'))), [
      {
        line: 11,
        column: 15,
        path: 'steps[0].duration',
        message:
          'expected the fault to heal before the load ends (load.duration: 10s), got at 2s + duration 8s = 10s: the heal would happen at or after the end of the load, so its effect could not be measured',
      },
    ]);
    assert.equal(
      parseDrillText(
        minimal((l) => l.push('    duration: 7999ms')),
        'ok.yaml',
      ).steps[0]!.kind,
      'fault',
    );
  });

  it('semisyncTimeout only with mode semisync; detector settings only with failover.mode auto', async () => {
    assert.deepEqual(await errorsOf(mysql((l) => l.splice(4, 0, '  replication:', '    semisyncTimeout: 5s', '  failover:', '    failureThreshold: 5', '    catchUp: false'))), [
      {
        line: 6,
        column: 22,
        path: 'stack.replication.semisyncTimeout',
        message: 'replication.semisyncTimeout applies to mode semisync only, got mode async (the default): set replication.mode: semisync, or remove semisyncTimeout',
      },
      {
        line: 8,
        column: 23,
        path: 'stack.failover.failureThreshold',
        message: "failover.failureThreshold applies to mode auto only (drill's detector), got mode runbook (the default): set failover.mode: auto, or remove it",
      },
      {
        line: 9,
        column: 14,
        path: 'stack.failover.catchUp',
        message: "failover.catchUp applies to mode auto only (drill's detector), got mode runbook (the default): set failover.mode: auto, or remove it (a promote step has its own catchUp)",
      },
    ]);
    assert.deepEqual(await errorsOf(mysql((l) => l.splice(4, 0, '  replication:', '    mode: async', '    semisyncTimeout: 5s'))), [
      {
        line: 7,
        column: 22,
        path: 'stack.replication.semisyncTimeout',
        message: 'replication.semisyncTimeout applies to mode semisync only, got mode async: set replication.mode: semisync, or remove semisyncTimeout',
      },
    ]);
    const ok = parseDrillText(
      mysql((l) => l.splice(4, 0, '  replication:', '    mode: semisync', '    semisyncTimeout: 5s', '  failover:', '    mode: auto', '    checkInterval: 250ms')),
      'ok.yaml',
    );
    assert.ok(ok.stack.kind === 'mysql-replication');
    assert.deepEqual(ok.stack.replication, { mode: 'semisync', semisyncTimeoutMs: 5000 });
    assert.equal(ok.stack.failover.checkIntervalMs, 250);
  });

  it('a timed runbook step may not be timed before an earlier step; a drill of only runbook steps breaks nothing', async () => {
    assert.deepEqual(await errorsOf(mysql((l) => l.push('  - at: 3s', '    action: promote'))), [
      { line: 12, column: 9, path: 'steps[1].at', message: 'expected a time at or after steps[0].at (5s), got 3s: steps run in order, so this one would run late' },
    ]);
    assert.deepEqual(await errorsOf(mysql((l) => l.splice(8, 3, '  - action: promote', '  - wait: 1s'))), [
      {
        line: 8,
        column: 1,
        path: 'steps',
        message:
          'expected at least one fault step (e.g. "- { at: 5s, fault: kill, target: primary }") or planned switchover ("- { at: 5s, action: switchover }"), got only runbook and wait steps: a drill must break or change something',
      },
    ]);
  });

  it('schema errors of the new kinds name what each kind takes', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => l.push('    timeout: 5s'))), [
      { line: 11, column: 5, path: 'steps[0]', message: 'unknown key "timeout" for fault: kill (it belongs to fault: stop|restart)' },
    ]);
    assert.deepEqual(await errorsOf(minimal((l) => (l[9] = '    target: primay'))), [
      {
        line: 10,
        column: 13,
        path: 'steps[0].target',
        message:
          'expected "primary", "replica", "any-replica", "sentinel", "app", "active-lb", "backup-lb", "leader", "sync-standby", "etcd", "etcd-leader", "haproxy" or a node name such as "db-2", got "primay" (did you mean "primary"?)',
      },
    ]);
    assert.deepEqual(await errorsOf(mysql((l) => l.splice(4, 0, '  sentinels: 3'))), [
      { line: 5, column: 3, path: 'stack', message: 'unknown key "sentinels" for kind: mysql-replication (it belongs to kind: redis-sentinel)' },
    ]);
    assert.deepEqual(await errorsOf(mysql((l) => l.push('  - action: promote', '    signal: SIGKILL', '  - wait: 1s', '    for: 2s'))), [
      { line: 13, column: 5, path: 'steps[1]', message: 'unknown key "signal" for action: promote (it belongs to fault: kill)' },
      { line: 15, column: 5, path: 'steps[2]', message: 'unknown key "for" (expected one of "wait")' },
    ]);
    // Not a missing "target": a partition has none, so nothing is said that only some faults would say.
    assert.deepEqual(await errorsOf(mysql((l) => l.push('  - at: 6s', '    fault: explode'))), [
      {
        line: 13,
        column: 12,
        path: 'steps[1].fault',
        message:
          'expected one of "kill", "kill-process", "stop", "pause", "restart", "partition", "isolate", "loss", "latency", "power-loss", "destroy", "site-loss", "operator-mistake", "corrupt-backup", "break-binlog-chain", "backup-store-down", got "explode"',
      },
    ]);
  });
});

describe('loadDrillFile: hostile and broken files', () => {
  it('missing file', async () => {
    assert.deepEqual(await errorsOfFile(path.join(dir, 'nope.yaml')), [{ line: null, column: null, path: '', message: 'file not found' }]);
  });

  it('a directory', async () => {
    const sub = path.join(dir, 'a-dir.yaml');
    await mkdir(sub);
    assert.deepEqual(await errorsOfFile(sub), [{ line: null, column: null, path: '', message: 'is a directory, expected a drill file (.yaml, .yml or .json)' }]);
  });

  it('empty, blank or comment-only file', async () => {
    for (const text of ['', '\n\n  \n', '# nothing here\n']) {
      assert.deepEqual(await errorsOf(text), [{ line: null, column: null, path: '', message: 'the file is empty: expected a mapping with name, stack, load and steps' }]);
    }
  });

  it('binary junk: invalid UTF-8, NUL bytes, UTF-16', async () => {
    assert.deepEqual(await errorsOf(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x41, 0xff, 0xfe, 0x00])), [
      { line: 2, column: 2, path: '', message: 'not a text file: byte 0xff is not valid UTF-8 (a drill file is UTF-8 YAML or JSON)' },
    ]);
    assert.deepEqual(await errorsOf('name: x\nstack: \u0000\u0001\n'), [
      { line: 2, column: 8, path: '', message: 'not a text file: unexpected control character U+0000 (a drill file is UTF-8 YAML or JSON)' },
    ]);
    assert.deepEqual(await errorsOf(Buffer.from('\uFEFFname: x', 'utf16le')), [{ line: 1, column: 1, path: '', message: 'the file is UTF-16 text: save the drill file as UTF-8' }]);
  });

  it('lone CR line ends, and invisible characters in keys', async () => {
    assert.deepEqual(await errorsOf(minimal(() => {}).replace(/\n/g, '\r')), [
      { line: 1, column: 8, path: '', message: 'line ends are lone carriage returns (CR, classic Mac OS): save the drill file with LF or CRLF line ends' },
    ]);
    assert.deepEqual(await errorsOf(minimal((l) => (l[4] = '  \u200brate: 100'))), [{ line: 5, column: 3, path: 'load', message: 'unknown key "\\u200brate" (did you mean "rate"?)' }]);
  });

  it('top level that is not a mapping', async () => {
    assert.deepEqual(await errorsOf('- a\n- b\n'), [{ line: 1, column: 1, path: '', message: 'expected a mapping at the top level (name, stack, load, steps…), got a list' }]);
    assert.deepEqual(await errorsOf('\n"just a string"\n'), [{ line: 2, column: 1, path: '', message: 'expected a mapping at the top level (name, stack, load, steps…), got string "just a string"' }]);
  });

  it('YAML syntax errors, with their line', async () => {
    assert.deepEqual(await errorsOf('name: x\nload: [1, 2\nsteps: 3\n'), [
      { line: 3, column: 1, path: '', message: 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]' },
    ]);
    assert.deepEqual(await errorsOf('name: x\nload:\n\trate: 1\n'), [{ line: 3, column: 1, path: '', message: 'YAML syntax error: tabs are not allowed as indentation, use spaces' }]);
    assert.deepEqual(await errorsOf('name: a\n---\nname: b\n'), [{ line: 2, column: 1, path: '', message: 'a drill file holds exactly one YAML document, but this one has another after "---"' }]);
  });

  it('duplicate keys, in YAML and in JSON', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => l.splice(5, 0, '  rate: 200'))), [{ line: 6, column: 3, path: 'load', message: 'duplicate key "rate" (first defined on line 5)' }]);
    assert.deepEqual(await errorsOf('{\n  "name": "a",\n  "name": "b"\n}\n', 'json'), [{ line: 3, column: 3, path: '', message: 'duplicate key "name" (first defined on line 2)' }]);
  });

  it('an alias bomb fails fast', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = performance.now();
    const errors = await errorsOf(`${lines.join('\n')}\n`);
    assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
    assert.deepEqual(errors, [{ line: 2, column: 8, path: '', message: 'YAML aliases expand too much (an "alias bomb"?): at most 100 aliased nodes are allowed' }]);
  });

  it('deep nesting is refused before the YAML parser sees it (flow, compact and indented)', async () => {
    const deep = [
      { text: `${'['.repeat(200_000)}${']'.repeat(200_000)}`, line: 1, column: 32 },
      { text: `a: ${'- '.repeat(100_000)}x`, line: 1, column: 66 },
      { text: Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'), line: 33, column: 33 },
    ];
    for (const { text, line, column } of deep) {
      const started = performance.now();
      assert.deepEqual(await errorsOf(text), [{ line, column, path: '', message: 'nested too deeply (more than 32 levels): a drill file is only a few levels deep' }]);
      assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
    }
  });

  it('files over 1 MiB are refused before parsing; a megabyte of tokens is refused quickly', async () => {
    const big = `name: x\n# ${'x'.repeat(MAX_DRILL_FILE_BYTES)}\n`;
    assert.deepEqual(await errorsOf(big), [{ line: null, column: null, path: '', message: `file is too large (${big.length} bytes): a drill file is at most 1048576 bytes (1 MiB)` }]);
    assert.throws(() => parseDrillText(big, 'big.yaml'), DrillFileError);
    const started = performance.now();
    const errors = await errorsOf(`steps: [${'1,'.repeat(500_000)}]`);
    assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
    assert.match(errors[0]!.message, /^too much YAML/);
  });

  it('unknown tags, merge keys, undefined aliases and complex keys are explained', async () => {
    assert.deepEqual(await errorsOf(minimal((l) => (l[0] = 'name: !secret t'))), [
      { line: 1, column: 7, path: '', message: 'Unresolved tag: !secret (drill files use plain YAML, without custom tags)' },
    ]);
    assert.deepEqual(await errorsOf(minimal((l) => l.splice(4, 0, '  <<: {rate: 1}'))), [
      { line: 5, column: 3, path: 'load', message: 'YAML merge keys ("<<") are not supported in drill files: write the keys out' },
    ]);
    assert.deepEqual(await errorsOf(minimal((l) => l.push('description: *nope'))), [
      { line: 11, column: 14, path: '', message: 'unknown alias "*nope": an anchor (&nope) must be defined before it is used' },
    ]);
    assert.deepEqual(await errorsOf(minimal((l) => l.push('[a, b]: 1'))), [{ line: 11, column: 1, path: '', message: 'mapping keys must be plain names, got a list as a key' }]);
  });

  it('too many errors are cut at 50, with a count of the rest', async () => {
    const text = `${Array.from({ length: 80 }, (_, i) => `junk${i}: 1`).join('\n')}\n`;
    const errors = await errorsOf(text);
    assert.equal(errors.length, 51);
    assert.deepEqual(errors[50], { line: null, column: null, path: '', message: `${80 + 4 - 50} more error(s) not shown` });
  });

  it('formatFileProblem leaves out what is empty', () => {
    assert.equal(formatFileProblem({ file: 'a.yaml', line: null, column: null, path: '', message: 'file not found' }), 'a.yaml: file not found');
    assert.equal(formatFileProblem({ file: 'a.yaml', line: 3, column: 1, path: '', message: 'm' }), 'a.yaml:3:1: m');
    assert.equal(formatFileProblem({ file: 'a.yaml', line: 3, column: 5, path: 'load.rate', message: 'm' }), 'a.yaml:3:5: load.rate: m');
  });
});

describe('loadDrillFile: restores and operator mistakes', () => {
  it('accepts a point-in-time restore before a named mistake, with a binlog archive', () => {
    const spec = parseDrillText(
      mysql((l) => {
        l.splice(8, 3, '  - at: 5s', '    fault: operator-mistake', '    name: drop-writes', '    statement: DROP TABLE drill.writes', '  - action: restore', '    before: drop-writes');
        l.push('layers:', '  - { kind: backup, every: 3s, binlogArchive: true, backupAge: 2s, restoreTime: 30s }');
      }),
      'ok.yaml',
    );
    assert.deepEqual(spec.steps, [
      { kind: 'fault', fault: 'operator-mistake', atMs: 5000, name: 'drop-writes', target: 'primary', statement: 'DROP TABLE drill.writes', durationMs: undefined },
      { kind: 'action', action: 'restore', atMs: undefined, before: 'drop-writes', timeoutMs: 120_000 },
    ]);
    assert.deepEqual(spec.layers[0], { kind: 'backup', method: undefined, everyMs: 3000, keep: 3, incrementals: 0, rpoMs: undefined, binlogArchive: true, backupAgeMs: 2000, restoreTimeMs: 30_000 });
  });

  it('refuses a restore without a backup layer, a point in time without an archive, and an unknown mistake', async () => {
    const noLayer = await errorsOf(mysql((l) => l.push('  - action: restore')));
    assert.deepEqual(
      noLayer.map((e) => e.path),
      ['steps[1].action'],
    );
    assert.match(noLayer[0]!.message, /expected a backup layer to restore from/);
    const errors = await errorsOf(
      mysql((l) => {
        l.push('  - at: 6s', '    fault: operator-mistake', '    statement: DELETE FROM drill.writes', '  - action: restore', '    before: drop-writes');
        l.push('layers:', '  - { kind: backup, every: 3s }');
      }),
    );
    assert.deepEqual(
      errors.map((e) => e.path),
      ['steps[2].before', 'steps[2].before'],
    );
    assert.match(errors[0]!.message, /expected the name of an operator-mistake step before this one \("operator-mistake"\), got "drop-writes"/);
    assert.match(errors[1]!.message, /expected binlogArchive: true/);
  });

  it('corrupt-backup of the newest full backup needs physical backups; incrementals need method physical (the shipped mariadb-corrupt-full-backup has both)', async () => {
    const dumps = await errorsOf(
      mysql((l) => {
        l.push('  - { at: 6s, fault: corrupt-backup, backup: newest-full }');
        l.push('layers:', '  - { kind: backup, every: 3s, incrementals: 2 }');
      }),
    );
    assert.deepEqual(
      dumps.map((e) => e.path),
      ['steps[1].backup', 'layers[0].incrementals'],
    );
    assert.match(dumps[0]!.message, /expected method: physical on the backup layer for backup: newest-full/);
  });

  it("physical backups need drill's own MariaDB image: a stack.image is refused where the layer declares the method", async () => {
    const official = await errorsOf(
      mysql((l) => {
        l.splice(4, 0, '  image: "mariadb:11"');
        l.push('layers:', '  - { kind: backup, every: 3s, method: physical }');
      }),
    );
    assert.deepEqual(
      official.map((e) => e.path),
      ['layers[0].method'],
    );
    assert.match(official[0]!.message, /method: physical needs drill's own MariaDB image .*got stack\.image "mariadb:11": remove stack\.image or use method: dump/);
    const own = parseDrillText(
      mysql((l) => l.push('layers:', '  - { kind: backup, every: 3s, method: physical }')),
      'own.yaml',
    );
    assert.equal(own.layers[0]?.kind === 'backup' && own.layers[0].method, 'physical');
  });

  it('bad-backup faults need a backup layer (and the chain an archive); a restore to a time, restoreTime and backupAge objectives', async () => {
    const noLayer = await errorsOf(mysql((l) => l.push('  - { at: 6s, fault: corrupt-backup }', 'objectives:', '  backupAge: 5s')));
    assert.deepEqual(
      noLayer.map((e) => e.path),
      ['steps[1].fault', 'objectives.backupAge'],
    );
    assert.match(noLayer[0]!.message, /expected a backup layer for corrupt-backup/);
    const noArchive = await errorsOf(
      mysql((l) => {
        l.push('  - { at: 6s, fault: break-binlog-chain }', '  - action: restore', '    to: { time: 2s }');
        l.push('layers:', '  - { kind: backup, every: 3s }');
      }),
    );
    assert.deepEqual(
      noArchive.map((e) => e.path),
      ['steps[1].fault', 'steps[2].to'],
    );
    const spec = parseDrillText(
      mysql((l) => {
        l.push('  - { at: 6s, fault: backup-store-down, duration: 2s }', '  - action: restore', '    to: { time: "2026-12-03T13:15:40.500Z" }', 'objectives:', '  restoreTime: 30s', '  backupAge: 5s');
        l.push('layers:', '  - { kind: backup, every: 3s, binlogArchive: true }');
      }),
      'ok.yaml',
    );
    assert.deepEqual(spec.steps.slice(1), [
      { kind: 'fault', fault: 'backup-store-down', atMs: 6000, target: 'backup-store', durationMs: 2000 },
      { kind: 'action', action: 'restore', atMs: undefined, before: undefined, toTime: { epochMs: Date.UTC(2026, 11, 3, 13, 15, 40, 500) }, timeoutMs: 120_000 },
    ]);
    assert.equal(spec.objectives.restoreTimeMs, 30_000);
    assert.equal(spec.objectives.backupAgeMs, 5000);
  });
});
