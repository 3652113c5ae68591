import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_REFERENCE_DEPTH, expandVariables, isSecretName, type Environment } from '../../src/spec/env-vars.js';
import { DrillFileError, loadDrillFile, loadDrillText, parseDrillText } from '../../src/spec/load-drill.js';
import { redact } from '../../src/util/redact.js';

// `${NAME}` and `${NAME:-default}` in drill file values: the grammar on one string, then through the
// loader (types, positions, messages), and the registration of secret-looking variables for masking.

const ENV: Environment = { RATE: '250', EMPTY: '', HOST: 'db.example', NESTED: '${RATE}', WORDS: 'true' };

function value(text: string, env: Environment = ENV): string {
  const expansion = expandVariables(text, env);
  assert.equal(expansion.kind, 'ok', `${text}: ${JSON.stringify(expansion)}`);
  return expansion.value;
}

function invalid(text: string): string {
  const expansion = expandVariables(text, ENV);
  assert.equal(expansion.kind, 'invalid', `${text} was accepted: ${JSON.stringify(expansion)}`);
  return expansion.message;
}

/** A minimal valid drill with `extra` lines in its stack mapping and `rate` as written. */
function drill(extra: string, rate = '100'): string {
  return `name: env\nstack:\n  kind: redis-sentinel\n${extra}load:\n  rate: ${rate}\n  duration: 10s\nsteps:\n  - at: 2s\n    fault: kill\n    target: primary\n`;
}

function messages(text: string, env: Environment = ENV): string {
  try {
    parseDrillText(text, 'env.yaml', { env });
  } catch (error) {
    assert.ok(error instanceof DrillFileError, String(error));
    return error.message;
  }
  return assert.fail('the drill was accepted');
}

describe('environment variables: the grammar', () => {
  it('substitutes ${NAME} and ${NAME:-default} (the default when unset or empty), anywhere in a string', () => {
    assert.equal(value('${RATE}'), '250');
    assert.equal(value('http://${HOST}:${PORT:-8080}/'), 'http://db.example:8080/');
    assert.equal(value('${EMPTY}'), '', 'an empty value is used as it is');
    assert.equal(value('${EMPTY:-fallback}'), 'fallback', ':- takes the default for an empty value too');
    assert.equal(value('${RATE:-1}'), '250');
    assert.equal(value('${UNSET:-}'), '', 'an empty default');
  });

  it('$${ is a literal ${; $NAME and a lone $ stay as written', () => {
    assert.equal(value('$${RATE}'), '${RATE}');
    assert.equal(value('cost: $5, $RATE, $'), 'cost: $5, $RATE, $');
    assert.equal(value('$$${RATE}'), '$${RATE}', 'left to right: "$" then "$${"');
  });

  it('a value from the environment is never substituted again', () => {
    assert.equal(value('${NESTED}'), '${RATE}');
  });

  it('hostile defaults: nested references, braces, ${ inside a default', () => {
    assert.equal(value('${A:-${B:-inner}}'), 'inner');
    assert.equal(value('${A:-${RATE}}'), '250');
    assert.equal(value('${A:-x${RATE}y}z'), 'x250yz');
    // A default runs to the "}" that closes it: the second "}" is text after the reference.
    assert.equal(value('${A:-{"k": 1}}'), '{"k": 1}');
    assert.equal(value('${A:-a}b}'), 'ab}');
    assert.equal(value('${A:-$${B}}'), '${B}', 'an escaped ${ inside a default');
    // Defaults are evaluated only when used: an unset variable in an unused default is no error.
    assert.equal(value('${RATE:-${UNSET}}'), '250');
    const deep = (n: number) => `${'${A:-'.repeat(n)}x${'}'.repeat(n)}`;
    assert.equal(value(deep(MAX_REFERENCE_DEPTH)), 'x');
    assert.match(invalid(deep(MAX_REFERENCE_DEPTH + 1)), /nested more than 8 deep/);
    assert.match(invalid(deep(100_000)), /nested more than 8 deep/, 'bounded: no stack overflow');
  });

  it('refuses malformed references, saying what is expected', () => {
    assert.match(invalid('${A B}'), /^invalid variable reference "\$\{A B\}": expected \$\{NAME\} or \$\{NAME:-default\}/);
    assert.match(invalid('${}'), /invalid variable reference "\$\{\}"/);
    assert.match(invalid('${1A}'), /not starting with a digit/);
    assert.match(invalid('${A:=x}'), /invalid variable reference "\$\{A:=x\}"/);
    assert.match(invalid('${A-x}'), /invalid variable reference/);
    assert.equal(invalid('x ${UNCLOSED'), '"${UNCLOSED" is not closed by "}" (a literal "${" is written "$${")');
    assert.equal(invalid('${A:-${B}'), '"${A:-…" is not closed by "}" (a literal "${" is written "$${")');
    assert.equal((expandVariables('x ${A B}', ENV) as { at: number }).at, 2, 'the position of the bad reference');
  });

  it('lists every unset variable without a default, with its position', () => {
    assert.deepEqual(expandVariables('${A}-${RATE}-${B}', ENV), {
      kind: 'unset',
      names: [
        { name: 'A', at: 0 },
        { name: 'B', at: 13 },
      ],
    });
  });

  it('secret-looking names: PASS, SECRET, TOKEN, KEY, CREDENTIAL in any case', () => {
    for (const name of ['DB_PASSWORD', 'REDIS_PASS', 'passwd', 'APP_SECRET', 'GITHUB_TOKEN', 'api_key', 'AWS_CREDENTIALS']) assert.ok(isSecretName(name), name);
    for (const name of ['RATE', 'HOST', 'PWD', 'USER', 'DRILL_DURATION']) assert.ok(!isSecretName(name), name);
  });
});

describe('environment variables in a drill file', () => {
  it('an unquoted whole reference takes the type of its value; quoted or partial ones are strings', () => {
    const spec = parseDrillText(drill('  apps: ${APPS:-2}\n  image: "redis:${REDIS_VERSION:-7}"\n  redisConfig:\n    appendonly: "${WORDS}"\n    maxmemory: ${RATE}mb\n', '${RATE}'), 'env.yaml', {
      env: ENV,
    });
    assert.equal(spec.load.rate, 250);
    assert.equal(spec.stack.kind === 'redis-sentinel' && spec.stack.apps, 2);
    assert.equal(spec.stack.kind === 'redis-sentinel' && spec.stack.image, 'redis:7');
    assert.deepEqual(spec.stack.kind === 'redis-sentinel' && spec.stack.redisConfig, { appendonly: 'true', maxmemory: '250mb' });
    // Unquoted, "true" is what YAML makes of it: a boolean, which redisConfig refuses.
    assert.equal(messages(drill('  redisConfig:\n    appendonly: ${WORDS}\n')), 'env.yaml:5:17: stack.redisConfig.appendonly: expected a string or a number, got boolean true');
    // A duration from a variable is validated as a duration.
    assert.equal(parseDrillText(drill('', '100').replace('duration: 10s', 'duration: ${D:-1m30s}'), 'env.yaml', { env: ENV }).load.durationMs, 90_000);
    assert.match(messages(drill('', '100').replace('duration: 10s', 'duration: ${D}'), { D: '30s1m' }), /load\.duration: expected a duration .* got "30s1m": units must go from the largest/);
  });

  it('an unset variable without a default: file, line, column of the reference, path, and how to give a default', () => {
    assert.equal(messages(drill('  password: ${DB_PASSWORD}\n')), 'env.yaml:4:13: stack.password: environment variable DB_PASSWORD is not set (write ${DB_PASSWORD:-default} for a default)');
    assert.equal(
      messages(drill('  image: "registry/${ORG}/redis:${TAG}"\n')),
      [
        'env.yaml:4:20: stack.image: environment variable ORG is not set (write ${ORG:-default} for a default)',
        'env.yaml:4:33: stack.image: environment variable TAG is not set (write ${TAG:-default} for a default)',
      ].join('\n'),
    );
    assert.equal(messages(drill('  password: "x${A B}"\n')).split(': ').slice(0, 3).join(': '), 'env.yaml:4:15: stack.password: invalid variable reference "${A B}"');
  });

  it('a quoted number says why it stays a string; an unquoted reference in { } gets a hint', () => {
    assert.equal(
      messages(drill('', '"${RATE}"')),
      'env.yaml:5:9: load.rate: expected an integer, got string "250" ("${RATE}" in quotes stays a string: write it without quotes, on a line of its own: rate: ${RATE})',
    );
    assert.match(
      messages('name: env\nstack: { kind: redis-sentinel, apps: ${APPS} }\n'),
      /^env\.yaml:2:39: YAML syntax error: .* \(inside \{ \} or \[ \], write a variable in quotes, "\$\{NAME\}", or move the value to its own line\)/,
    );
  });

  it('keys are never substituted; anchors are substituted once; JSON strings are quoted', async () => {
    assert.match(messages(drill('  ${KEY}: 1\n')), /stack: unknown key "\$\{KEY\}"/);
    const spec = parseDrillText(drill('  image: &img "redis:${TAG:-7}"\n  redisConfig: { x: *img }\n'), 'env.yaml', { env: ENV });
    assert.deepEqual(spec.stack.kind === 'redis-sentinel' && [spec.stack.image, spec.stack.redisConfig], ['redis:7', { x: 'redis:7' }]);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drill-env-'));
    try {
      const file = path.join(dir, 'env.json');
      await writeFile(
        file,
        JSON.stringify({ name: 'env', stack: { kind: 'redis-sentinel', image: 'redis:${TAG}' }, load: { rate: 10, duration: '${D}' }, steps: [{ at: '1s', fault: 'kill', target: 'primary' }] }),
      );
      const loaded = await loadDrillFile(file, { env: { TAG: '7.2', D: '5s' } });
      assert.equal(loaded.spec.load.durationMs, 5000);
      assert.equal(loaded.spec.stack.kind === 'redis-sentinel' && loaded.spec.stack.image, 'redis:7.2');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the loaded drill keeps the text as written and lists the variables it used, without their values', () => {
    const text = drill('  password: ${REDIS_PASSWORD}\n  image: "redis:${TAG:-7}"\n', '${RATE:-10}');
    const loaded = loadDrillText(text, 'env.yaml', { env: { REDIS_PASSWORD: 'listed-secret-1', RATE: '40' } });
    assert.equal(loaded.source, text);
    assert.deepEqual(loaded.variables, [
      { name: 'RATE', from: 'environment', secret: false },
      { name: 'REDIS_PASSWORD', from: 'environment', secret: true },
      { name: 'TAG', from: 'default', secret: false },
    ]);
    assert.doesNotMatch(JSON.stringify(loaded.variables), /listed-secret-1/);
  });

  it('values of secret-looking variables are masked from then on, in validation messages too', () => {
    const secret = 'env-secret-0xC0FFEE';
    parseDrillText(drill('  password: ${DB_PASSWORD}\n'), 'env.yaml', { env: { DB_PASSWORD: secret } });
    assert.equal(redact(`auth ${secret} ok`), 'auth *** ok');
    // Not secret-looking: not masked.
    parseDrillText(drill('  image: ${IMAGE}\n'), 'env.yaml', { env: { IMAGE: 'plain-image-name' } });
    assert.equal(redact('plain-image-name'), 'plain-image-name');
    // A schema error quoting the value of a secret variable does not show it.
    const leaked = 'Not A Valid Name Token';
    const message = messages(drill('').replace('name: env', 'name: ${NAME_TOKEN}'), { NAME_TOKEN: leaked });
    assert.match(message, /^env\.yaml:1:7: name: expected a name of lower-case letters/);
    assert.ok(!message.includes(leaked), message);
    assert.match(message, /\*\*\*/);
    // A default taken for a secret-looking name is masked as well.
    parseDrillText(drill('  password: ${REDIS_PASSWORD:-default-secret-value}\n'), 'env.yaml', { env: {} });
    assert.equal(redact('default-secret-value'), '***');
  });

  it('reads process.env when no environment is given', () => {
    process.env.DRILL_TEST_ENV_RATE = '77';
    try {
      assert.equal(parseDrillText(drill('', '${DRILL_TEST_ENV_RATE}'), 'env.yaml').load.rate, 77);
    } finally {
      delete process.env.DRILL_TEST_ENV_RATE;
    }
  });
});
