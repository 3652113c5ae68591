import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { drillFromSource, ROOT } from './cli-from-source.js';

// The README's command table and `drill --help` must agree: every command the CLI has is in the table,
// every flag a command's --help lists is in that command's rows, and the table names no flag the CLI
// lacks (yargs' strict mode would refuse it: the README would send users into exit 2).

const GLOBAL = ['--help', '--version', '--log-level'];

function flagsIn(text: string): Set<string> {
  return new Set(text.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? []);
}

async function readmeRows(): Promise<Map<string, string>> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const line of readme.split('\n')) {
    const command = /^\| `drill ([a-z]+)/.exec(line)?.[1];
    if (command) rows.set(command, (rows.get(command) ?? '') + line);
  }
  return rows;
}

describe('README and drill --help', () => {
  it('list the same commands, each with the same flags', async () => {
    const help = await drillFromSource(ROOT, ['--help']);
    assert.equal(help.code, 0, help.stderr);
    const commands = [...help.stdout.matchAll(/^ {2}drill ([a-z]+)/gm)].map((m) => m[1]!);
    assert.ok(commands.length >= 8, help.stdout);
    const rows = await readmeRows();
    assert.deepEqual([...rows.keys()].sort(), [...commands].sort(), 'commands in the README table vs drill --help');
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const flag of GLOBAL) assert.ok(readme.includes(`\`${flag}`), `the README says nothing of the global ${flag}`);
    for (const command of commands) {
      const own = await drillFromSource(ROOT, [command, '--help']);
      assert.equal(own.code, 0, own.stderr);
      const cli = [...flagsIn(own.stdout)].filter((f) => !GLOBAL.includes(f)).sort();
      const documented = [...flagsIn(rows.get(command)!)].filter((f) => !GLOBAL.includes(f)).sort();
      assert.deepEqual(documented, cli, `drill ${command}: flags in the README row(s) vs drill ${command} --help`);
    }
  });
});
