import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { helpEnv, renderHelpModule, yargsHelp } from '../../scripts/gen-cli-help.js';
import { fastPlan } from '../../src/cli/cli-fast-path.js';
import { HELP_TEXT } from '../../src/cli/help-text.js';
import { ROOT } from './cli-from-source.js';

// `drill --help` is printed from a stored text when the fast path takes it (src/cli/help-text.ts,
// generated from yargs by `npm run cli-help`). It must never drift from what yargs prints: the stored
// text is compared with yargs' live output in every environment the fast path accepts, and an
// environment it refuses (a translated locale, DRILL_LOG_LEVEL set) really does change yargs' output.

/** The environment of this process with the locale and log-level variables replaced. */
function envWith(vars: Partial<Record<string, string>>): NodeJS.ProcessEnv {
  const env = helpEnv();
  delete env.LANG;
  return { ...env, ...vars };
}

describe('the stored drill --help text', () => {
  it('is what `npm run cli-help` writes now (run it after changing a command, flag or description)', async () => {
    const help = yargsHelp(helpEnv());
    assert.equal(help.code, 0, help.stderr);
    assert.equal(await readFile(join(ROOT, 'src', 'cli', 'help-text.ts'), 'utf8'), await renderHelpModule(help.stdout), 'src/cli/help-text.ts is stale: run `npm run cli-help`');
  });

  for (const vars of [{}, { LANG: 'C.UTF-8' }, { LANG: 'POSIX' }, { LANG: 'en_US.UTF-8' }, { LC_ALL: 'en_GB.UTF-8', LANG: 'de_DE.UTF-8' }, { LANGUAGE: 'en' }]) {
    it(`is yargs' output where the fast path uses it: ${JSON.stringify(vars)}`, () => {
      const env = envWith(vars);
      assert.deepEqual(fastPlan(['--help'], env, undefined), { kind: 'help' });
      const help = yargsHelp(env);
      assert.equal(help.code, 0, help.stderr);
      assert.equal(help.stdout, HELP_TEXT);
    });
  }

  for (const vars of [{ LANG: 'de_DE.UTF-8' }, { LC_MESSAGES: 'fr_FR.UTF-8' }, { DRILL_LOG_LEVEL: 'debug' }]) {
    it(`is left to yargs where its output differs: ${JSON.stringify(vars)}`, () => {
      const env = envWith(vars);
      assert.equal(fastPlan(['--help'], env, undefined), undefined);
      const help = yargsHelp(env);
      assert.equal(help.code, 0, help.stderr);
      assert.notEqual(help.stdout, HELP_TEXT);
    });
  }

  it('is left to yargs on a terminal narrower than 80 columns (yargs wraps to its width)', () => {
    assert.deepEqual(fastPlan(['--help'], envWith({}), 80), { kind: 'help' });
    assert.deepEqual(fastPlan(['--help'], envWith({}), 200), { kind: 'help' });
    assert.equal(fastPlan(['--help'], envWith({}), 79), undefined);
  });
});
