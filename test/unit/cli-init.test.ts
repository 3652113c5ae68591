import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { drillFromSource, type CliRun } from './cli-from-source.js';
import { STARTER_KINDS, nameFromFile, renderStarter } from '../../src/init/starter.js';
import { loadDrillFile } from '../../src/spec/load-drill.js';

// `drill init [stack]` through the real command line (tsx on src/cli/main.ts, in a temp directory): every
// stack's starter file is written, then loaded by the loader `drill validate` uses and validated by the
// CLI itself; an existing file is refused without --force; an unknown stack lists the known ones.

function drill(cwd: string, ...args: string[]): Promise<CliRun> {
  return drillFromSource(cwd, args);
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-init-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('drill init', () => {
  it('every stack kind has a starter, with a comment before every section and on most fields', () => {
    assert.deepEqual([...STARTER_KINDS].sort(), ['compose', 'mysql-replication', 'patroni', 'postgres', 'redis-sentinel']);
    for (const kind of STARTER_KINDS) {
      const text = renderStarter(kind, { schemaPath: '../drill.schema.json' });
      assert.match(text, /^# yaml-language-server: \$schema=\.\.\/drill\.schema\.json\n#\n# /, kind);
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        if (!/^[a-zA-Z]+:/.test(line) || line.startsWith('description:')) return;
        const previous = lines
          .slice(0, i)
          .reverse()
          .find((l) => l.trim() !== '');
        assert.match(previous ?? '', /^#/, `${kind}: no comment before "${line}"`);
      });
      // Fields are explained where they are set: most lines of the stack, load and steps carry a comment.
      const commented = lines.filter((l) => /^ {2,}\S.*:.*#/.test(l)).length;
      assert.ok(commented >= 10, `${kind}: only ${commented} commented fields`);
    }
  });

  it('writes drill.yaml for redis-sentinel by default and a file per stack with --out; each passes validate', async () => {
    const init = await drill(dir, 'init');
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /^wrote drill\.yaml: a redis-sentinel drill \(no stack given: redis-sentinel; the others: drill init mysql-replication, postgres, patroni, compose\)\n/);
    assert.match(init.stdout, /drill validate drill\.yaml/);
    assert.match(init.stdout, /drill run drill\.yaml --dry-run/);

    await mkdir(join(dir, 'drills'));
    const files = ['drill.yaml'];
    for (const kind of STARTER_KINDS) {
      const out = `drills/${kind}-starter.yaml`;
      const run = await drill(dir, 'init', kind, '--out', out);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^wrote ${out}: a ${kind} drill\\n`));
      files.push(out);
    }
    for (const file of files) {
      // The loader `drill validate` uses, with nothing from the environment: defaults cover every variable.
      const loaded = await loadDrillFile(join(dir, file), { env: {} });
      const kind = file === 'drill.yaml' ? 'redis-sentinel' : file.replace('drills/', '').replace('-starter.yaml', '');
      assert.equal(loaded.spec.stack.kind, kind);
      assert.equal(loaded.spec.name, file === 'drill.yaml' ? 'redis-sentinel-kill-primary' : `${kind}-starter`, 'the name comes from --out');
    }
    const validate = await drill(dir, 'validate', ...files);
    assert.equal(validate.code, 0, validate.stderr);
    assert.equal(validate.stdout.split('\n').filter((l) => l.endsWith(')') && l.includes(': ok (')).length, files.length, validate.stdout);
  });

  it('the schema line points at drill.schema.json from where the file is', async () => {
    const text = await readFile(join(dir, 'drill.yaml'), 'utf8');
    // A temp directory is outside drill's own: a file URL to the schema.
    assert.match(text.split('\n')[0]!, /^# yaml-language-server: \$schema=file:\/\/\/.*\/drill\.schema\.json$/);
  });

  it('refuses to replace a file without --force (exit 2, file untouched), replaces it with --force', async () => {
    const file = join(dir, 'mine.yaml');
    await writeFile(file, 'my own drill\n');
    const refused = await drill(dir, 'init', 'compose', '--out', 'mine.yaml');
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'drill: init: mine.yaml already exists: write another file with --out FILE, or replace it with --force\n');
    assert.equal(refused.stdout, '');
    assert.equal(await readFile(file, 'utf8'), 'my own drill\n');

    const forced = await drill(dir, 'init', 'compose', '--out', 'mine.yaml', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(await readFile(file, 'utf8'), /^name: mine$/m);
  });

  it('an unknown stack, a directory or a .json file: exit 2 with what to do', async () => {
    const unknown = await drill(dir, 'init', 'cassandra');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'drill: init: unknown stack "cassandra": expected one of redis-sentinel, mysql-replication, postgres, patroni, compose (drill init <stack>)\n');
    const directory = await drill(dir, 'init', '--out', 'drills', '--force');
    assert.equal(directory.code, 2);
    assert.match(directory.stderr, /^drill: init: drills is a directory: name a file with --out FILE\n$/);
    const json = await drill(dir, 'init', '--out', 'd.json');
    assert.equal(json.code, 2);
    assert.match(json.stderr, /name the file \.yaml or \.yml/);
  });

  it('takes the drill name from the file name only when it is a valid name', () => {
    assert.equal(nameFromFile('drills/orders-failover.yaml'), 'orders-failover');
    assert.equal(nameFromFile('a.yml'), 'a');
    assert.equal(nameFromFile('My Drill.yaml'), undefined);
    assert.equal(nameFromFile('-x.yaml'), undefined);
  });
});
