import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DrillFileError, parseDrillText } from '../../src/spec/load-drill.js';
import { offlineCmd, serverArgs } from '../../src/stacks/mysql/server.js';

// Power loss on a MariaDB stack: the drill file's checks (lazy disk, drill's own image, durability
// values) and what the server is started with. The real thing: test/integration/mariadb-power-loss.test.ts.

function drill(stack: string): string {
  return [
    'name: pl',
    'stack:',
    ...stack.split('\n').map((l) => `  ${l}`),
    'load: { rate: 100, duration: 5s }',
    'steps:',
    '  - at: 1s',
    '    fault: power-loss',
    '    nodes: [primary, replicas]',
    '    duration: 1s',
  ].join('\n');
}

function problems(text: string): string[] {
  try {
    parseDrillText(text, 'pl.yaml');
  } catch (error) {
    assert.ok(error instanceof DrillFileError, String(error));
    return error.errors.map((e) => `${e.line}: ${e.path}: ${e.message}`);
  }
  return [];
}

describe('power loss on mysql-replication', () => {
  it('is accepted on the lazy disk, with durability settings', () => {
    const spec = parseDrillText(drill('kind: mysql-replication\ndisk: lazy\ndurability: { flushLogAtTrxCommit: 2, syncBinlog: 0 }'), 'pl.yaml');
    assert.equal(spec.stack.kind === 'mysql-replication' && spec.stack.disk, 'lazy');
    assert.deepEqual(spec.stack.kind === 'mysql-replication' && spec.stack.durability, { flushLogAtTrxCommit: 2, syncBinlog: 0 });
  });

  it('is refused on a plain disk (a kill there loses nothing the server wrote)', () => {
    const found = problems(drill('kind: mysql-replication'));
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0]!, /^7: steps\[0\]\.fault: power-loss needs the nodes' data on drill's lazy disk .*got disk plain \(the default\)/);
  });

  it("refuses the lazy disk with an image of the user (the layer is in drill's own) and a durability value MariaDB lacks", () => {
    const found = problems(drill('kind: mysql-replication\ndisk: lazy\nimage: "mariadb:11"\ndurability: { flushLogAtTrxCommit: 3 }'));
    assert.ok(
      found.some((p) => /stack\.durability\.flushLogAtTrxCommit/.test(p)),
      found.join('\n'),
    );
    const semantic = problems(drill('kind: mysql-replication\ndisk: lazy\nimage: "mariadb:11"'));
    assert.ok(
      semantic.some((p) => /stack\.disk: disk: lazy needs drill's own MariaDB image/.test(p)),
      semantic.join('\n'),
    );
  });

  it('starts mariadbd on the lazy disk with buffered I/O, and passes only the declared durability settings', () => {
    const secrets = { admin: 'a', repl: 'r', app: 'p' };
    const base = { serverId: 1, semisyncTimeoutMs: null, primary: true, readOnly: false };
    assert.ok(!serverArgs(base).some((a) => /flush-log-at-trx-commit|sync-binlog/.test(a)), 'server defaults kept when nothing is declared');
    assert.deepEqual(
      serverArgs({ ...base, durability: { flushLogAtTrxCommit: 2, syncBinlog: 0 } }).filter((a) => /flush-log|sync-binlog/.test(a)),
      ['--innodb-flush-log-at-trx-commit=2', '--sync-binlog=0'],
    );
    const script = offlineCmd({ ...base, lazyDisk: true }, secrets)[2]!;
    assert.match(script, /drill-lazy-disk \/var\/lib\/mysql \/var\/lib\/drill-lazy &/);
    assert.match(script, /exec mariadbd .*--datadir=\/var\/lib\/drill-lazy --innodb-flush-method=fsync/);
    assert.match(offlineCmd(base, secrets)[2]!, /exec mariadbd .*--datadir=\/var\/lib\/mysql /);
  });
});
