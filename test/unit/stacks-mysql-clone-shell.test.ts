import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloneShell } from '../../src/stacks/mysql/clone-shell.js';
import { mariadbDialect } from '../../src/stacks/mysql/dialect-mariadb.js';
import { detectServer } from '../../src/stacks/mysql/server-info.js';

// The re-clone's shell script: only plain database names reach the shell, credentials only through the
// environment, and the MariaDB script reads the snapshot's position from the dump's own comment.

describe('cloneShell', () => {
  it('refuses a database name the shell could read as something else, and an empty list', () => {
    assert.throws(() => cloneShell('dump', 'client', ['drill', 'x; rm -rf /'], 'echo'), /only plain names/);
    assert.throws(() => cloneShell('dump', 'client', ["it's"], 'echo'), /only plain names/);
    assert.throws(() => cloneShell('dump', 'client', [], 'echo'), /no application database/);
  });

  it('passes no password on a command line; the load does not write the binlog', () => {
    const script = mariadbDialect(detectServer('10.11.6-MariaDB', ''), 0).cloneScript(['drill', 'shop_2']);
    assert.doesNotMatch(script, /-p\S|--password/);
    assert.match(script, /--databases drill shop_2 >/);
    assert.match(script, /--init-command='SET SESSION sql_log_bin = 0'/);
    assert.match(script, /^set -e$/m);
  });

  it("the MariaDB script's position command finds gtid_slave_pos in a real dump's comment", async () => {
    const { execFileSync } = await import('node:child_process');
    const script = mariadbDialect(detectServer('10.11.6-MariaDB', ''), 0).cloneScript(['drill']);
    const positionLine = script.split('\n').find((l) => l.startsWith('sed '))!;
    const dump = [
      '-- CHANGE MASTER TO MASTER_USE_GTID=slave_pos;',
      '-- The deferred gtid setting for slave corresponding to the master-data CHANGE-MASTER follows',
      '-- Preferably use GTID to start replication from GTID position:',
      '',
      "-- SET GLOBAL gtid_slave_pos='0-2-2319,1-3-7';",
    ].join('\n');
    const out = execFileSync('sh', ['-c', `F=$(mktemp); printf '%s\\n' "$DUMP" > "$F"; ${positionLine}; rm -f "$F"`], { env: { ...process.env, DUMP: dump }, encoding: 'utf8' });
    assert.equal(out.trim(), '0-2-2319,1-3-7');
  });
});
