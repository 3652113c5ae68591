import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findMistake, redisMistakeProblem, scanAof } from '../../src/layers/backup/aof-scan.js';

const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

describe('scanAof', () => {
  it('reads commands with their byte offsets, and the start of an unfinished one', () => {
    const whole = resp('SELECT', '0') + resp('sadd', 'drill:writes', '7') + resp('flushall') + resp('sadd', 'drill:writes', 'é8');
    const buf = Buffer.from(whole + '*3\r\n$4\r\nsadd\r\n$12\r\ndrill:wr');
    const { commands, tail } = scanAof(buf);
    assert.deepEqual(
      commands.map((c) => c.args),
      [['SELECT', '0'], ['sadd', 'drill:writes', '7'], ['flushall'], ['sadd', 'drill:writes', 'é8']],
    );
    assert.equal(commands[2]!.offset, Buffer.byteLength(resp('SELECT', '0') + resp('sadd', 'drill:writes', '7')));
    assert.equal(tail, Buffer.byteLength(whole), 'the unfinished command begins after the last whole one (bytes, not characters)');
    assert.equal(scanAof(Buffer.from(whole)).tail, null);
  });

  it('refuses what is not an AOF', () => {
    assert.throws(() => scanAof(Buffer.from('REDIS0011\r\n')), /not an AOF command at byte 0/);
  });
});

describe('findMistake', () => {
  const { commands } = scanAof(Buffer.from(resp('sadd', 'drill:writes', '1') + resp('DEL', 'other') + resp('del', 'drill:writes') + resp('FLUSHALL')));
  it('finds the first command of the same name (any case) and the same keys', () => {
    assert.equal(findMistake(commands, 'FLUSHALL ASYNC')?.offset, commands[3]!.offset);
    assert.equal(findMistake(commands, 'DEL drill:writes')?.offset, commands[2]!.offset);
    assert.equal(findMistake(commands, 'FLUSHDB'), null);
    assert.equal(findMistake(commands, 'DEL drill:Writes'), null, 'keys are compared exactly');
  });
});

describe('redisMistakeProblem', () => {
  it('accepts commands that destroy data, and says what else it expected', () => {
    for (const ok of ['FLUSHALL', 'flushall async', 'FLUSHDB SYNC', 'DEL drill:writes', 'UNLINK a b']) assert.equal(redisMistakeProblem(ok), null, ok);
    for (const bad of ['DROP TABLE drill.writes', 'DEL', 'FLUSHALL NOW', 'SET a b']) assert.match(redisMistakeProblem(bad) ?? '', /expected a Redis command that destroys data/, bad);
  });
});
