import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { drillFromSource, ROOT, type CliRun } from './cli-from-source.js';

// The build bundles `drill validate`'s modules into dist/cli/validate-command.bundle.cjs with V8's stored
// code for it (scripts/bundle-validate.ts), and the built CLI loads that instead of the separate modules
// (src/cli/validate-loader.ts). The stored code must be one V8 takes, and the bundle must
// answer exactly as the sources do: every shipped drill (the alerting ones read drill's rule files from
// the module's own location) and broken files, in text and --json, compared with the sources run through
// yargs. Like spec-hostile-corpus, this runs the built CLI: `npm run build` first.

const BUNDLE = join(ROOT, 'dist', 'cli', 'validate-command.bundle.cjs');
const MODULE_LOG_HOOK = join(ROOT, 'test', 'fixtures', 'module-log', 'register.mjs');

function builtDrill(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'drill.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let files: string[];
before(async () => {
  assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run \`npm run build\` first`);
  dir = await mkdtemp(join(tmpdir(), 'drill-validate-bundle-'));
  await writeFile(join(dir, 'bad.yaml'), 'name: bad\nstack:\n  kind: redis-sentinel\n  replicas: many\n');
  await writeFile(join(dir, 'broken.yaml'), 'name: [unclosed\n');
  const drills = join(ROOT, 'drills');
  files = [...(await readdir(drills)).filter((f) => f.endsWith('.yaml')).map((f) => join(drills, f)), join(dir, 'bad.yaml'), join(dir, 'broken.yaml')];
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("drill validate's bundle (the built CLI)", () => {
  for (const json of [false, true]) {
    it(`answers as the sources do for every shipped drill and broken files${json ? ' (--json)' : ''}`, async () => {
      const args = ['validate', ...files, ...(json ? ['--json'] : [])];
      const [built, source] = await Promise.all([builtDrill(dir, args), drillFromSource(dir, args, { yargsOnly: true })]);
      assert.deepEqual(built, source);
      assert.equal(built.code, 2, 'the broken files make it exit 2');
      assert.ok(files.length > 20, 'the shipped drills are there');
    });
  }

  it("comes with V8's stored code for it, which this Node.js takes", async () => {
    const loader = (await import(pathToFileURL(join(ROOT, 'dist', 'cli', 'validate-loader.js')).href)) as typeof import('../../src/cli/validate-loader.js');
    assert.equal(loader.codeCacheAccepted(), true);
  });

  it('is what the built CLI loads: not the separate modules of validate, not yargs', async () => {
    const log = join(dir, 'modules.log');
    const run = await new Promise<CliRun>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', MODULE_LOG_HOOK, join(ROOT, 'bin', 'drill.js'), 'validate', files[0]!], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DRILL_MODULE_LOG: log },
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        resolve({ code, stdout: '', stderr });
      });
    });
    assert.equal(run.code, 0, run.stderr);
    const urls = (await readFile(log, 'utf8')).split('\n').filter((u) => u !== '');
    // The bundle is compiled by vm.Script, not through the ES loader: what must be absent is the module
    // the loader falls back to, and every module the bundle holds.
    assert.ok(
      urls.some((u) => u.endsWith('/dist/cli/validate-loader.js')),
      urls.join('\n'),
    );
    assert.deepEqual(
      urls.filter((u) => u.endsWith('/dist/cli/validate-command.js') || u.includes('/dist/spec/') || u.includes('/node_modules/')),
      [],
    );
  });
});
