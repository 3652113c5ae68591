import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { displayWidth } from '../../src/cli/text-width.js';

// `drill run` under a real pseudo-terminal (util-linux `script`), on the fake engine (test/fakes/
// fake-run-cli.ts: the run command with the fake engine, stack and load): the live line, pino's lines
// above it, the coloured verdict, the terminal left on a fresh line on success, error and Ctrl-C; and
// without a terminal, plain lines and colour only when forced.

const ROOT = path.join(import.meta.dirname, '..', '..');
const TSX = import.meta.resolve('tsx');
const FAKE_CLI = path.join(ROOT, 'test', 'fakes', 'fake-run-cli.ts');
const CLEAR = '\r\x1b[2K';
const COLUMNS = 80;

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

let dir: string;
let passing: string;
let failing: string;
let long: string;

before(async () => {
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  assert.equal(script.status, 0, `these tests need util-linux \`script\` (a pseudo-terminal): ${script.error?.message ?? script.stderr}`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'drill-tty-'));
  const drillFile = async (name: string, load: string, steps: string) => {
    const file = path.join(dir, `${name}.yaml`);
    await writeFile(file, `name: ${name}\nstack: { kind: mysql-replication }\nload: { rate: 200, timeout: 1s, warmup: 200ms, ${load} }\nsteps:\n${steps}\nmeasure: { stable: 200ms }\n`);
    return file;
  };
  // The pause outlasts a few reads of the progress (every 250 ms), even on a busy machine.
  passing = await drillFile('tty-pass', 'duration: 2500ms', '  - { at: 500ms, fault: pause, target: db-1, duration: 1200ms }\n  - { waitFor: recovered, timeout: 2s }');
  failing = await drillFile('tty-error', 'duration: 2s', '  - { at: 500ms, fault: kill, target: primary }\n  - { action: promote }');
  long = await drillFile('tty-interrupted', 'duration: 30s', '  - { at: 500ms, fault: pause, target: db-1 }');
});

function collect(child: ReturnType<typeof spawn>, onOut?: (all: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      onOut?.(out);
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** The fake run under a pseudo-terminal of COLUMNS columns: stdout and stderr both go to it; `out` is what the terminal received. */
function underTerminal(file: string, flags: string[], env: Record<string, string> = {}, onOut?: (all: string, pidFile: string) => void): Promise<Run> {
  const pidFile = path.join(dir, `pid-${Math.random().toString(36).slice(2)}`);
  const cmd = `stty cols ${COLUMNS} rows 40; exec ${sh(process.execPath)} --import ${sh(TSX)} ${sh(FAKE_CLI)} ${sh(file)} ${sh(path.join(dir, 'out'))} ${flags.map(sh).join(' ')}`;
  const childEnv: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', DRILL_LOG_LEVEL: 'info', DRILL_TEST_PID_FILE: pidFile, ...env };
  // The colour variables are each test's to set.
  for (const k of ['NO_COLOR', 'FORCE_COLOR'] as const) if (!(k in env)) delete childEnv[k];
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(
    child,
    onOut &&
      ((all) => {
        onOut(all, pidFile);
      }),
  );
}

/**
 * Split what the terminal received at each "erase the line": every piece but the last ends with the
 * live line as drawn (after any log lines written above it); the last piece is what follows the final
 * erase, the outcome.
 */
function frames(out: string): { lines: string[]; last: string } {
  const pieces = out.split(CLEAR);
  const last = pieces.pop()!;
  return { lines: pieces.slice(1).map((p) => p.slice(p.lastIndexOf('\n') + 1)), last };
}

/** pino's lines: each begins right after an erase, at column 0, never in the middle of the live line. */
function assertLogLinesWhole(out: string): void {
  const logLines = [...out.matchAll(/\[\d\d:\d\d:\d\d\.\d{3}\] /g)];
  assert.ok(logLines.length >= 3, 'log lines on the terminal');
  for (const m of logLines) assert.equal(out.slice(m.index - CLEAR.length, m.index), CLEAR, `log line not at column 0: ${JSON.stringify(out.slice(m.index - 40, m.index + 40))}`);
}

describe('drill run on a terminal', () => {
  it('one live line, redrawn in place, never wider than the terminal; log lines whole above it; the coloured verdict on a fresh line', async () => {
    const run = await underTerminal(passing, []);
    assert.equal(run.code, 0, run.out);
    const { lines, last } = frames(run.out);
    assert.ok(lines.length >= 8, `${lines.length} redraws:\n${run.out}`);
    for (const line of lines) assert.ok(displayWidth(stripAnsi(line)) <= COLUMNS - 1, `${displayWidth(stripAnsi(line))} columns: ${JSON.stringify(line)}`);
    const shown = lines.map(stripAnsi);
    assert.ok(
      shown.some((l) => l.startsWith('preflight ')),
      'preflight shown',
    );
    assert.ok(
      shown.some((l) => /^steps 0:\d\d {2}\d+ ok/.test(l)),
      shown.join('\n'),
    );
    assert.ok(
      shown.some((l) => l.includes('  pause db-1 in 0.')),
      'the fault, pending',
    );
    assert.ok(
      shown.some((l) => / failed {2}outage \d\.\d s {2}pause db-1 in effect/.test(l)),
      'the outage',
    );
    assertLogLinesWhole(run.out);
    // After the last erase: the outcome and nothing of the live line.
    assert.match(last, /^\x1b\[1;32mPASS\x1b\[22;39m {2}tty-pass\r\n/);
    assert.match(last, /\x1b\[32mok\x1b\[39m/);
    const report = /report: (\/\S+\/report\.html)\r\n/.exec(last)?.[1];
    assert.ok(report && path.isAbsolute(report), last);
    assert.ok(last.includes(`open:   file://${report}\r\n`), last);
    assert.match(await readFile(report, 'utf8'), /<html/);
    assert.ok(last.endsWith('\r\n'));
  });

  it('NO_COLOR: the same without colour; an error run ends in ERROR, exit 3, on a fresh line', async () => {
    const run = await underTerminal(failing, ['--fail-promote'], { NO_COLOR: '1' });
    assert.equal(run.code, 3, run.out);
    const { lines, last } = frames(run.out);
    assert.ok(lines.length >= 3);
    assert.match(last, /^ERROR {2}tty-error\r\n {2}.*no replica can be promoted/);
    assert.doesNotMatch(last, /\x1b/);
  });

  it('--quiet: plain lines, one per phase, fault and outage, no carriage return, no info logs', async () => {
    const run = await underTerminal(passing, ['--quiet']);
    assert.equal(run.code, 0, run.out);
    assert.ok(!run.out.includes('\x1b[2K'), 'no live line');
    const lines = run.out.split('\r\n');
    const progress = lines.filter((l) => l.startsWith('drill ')).map((l) => l.replace(/^drill \d+:\d\d /, ''));
    assert.deepEqual(
      progress.filter((l) => /^\w+: /.test(l) && !/^(fault|writes):/.test(l)).map((l) => l.split(':')[0]),
      ['preflight', 'up', 'warmup', 'steps', 'load', 'verify', 'down', 'report'],
    );
    assert.ok(progress.includes('fault: pause db-1 at 0.5 s → in effect'), progress.join('\n'));
    assert.ok(progress.includes('writes: failing'), progress.join('\n'));
    assert.doesNotMatch(run.out, /INFO/);
    assert.match(run.out, /\x1b\[1;32mPASS/);
  });

  it('Ctrl-C: the run heals and tears down, then ABORTED on a fresh line, exit 130', async () => {
    let sent = false;
    const run = await underTerminal(long, [], {}, (all, pidFile) => {
      if (sent || !all.includes('fault injected')) return;
      sent = true;
      void readFile(pidFile, 'utf8').then((pid) => process.kill(Number(pid), 'SIGINT'));
    });
    assert.ok(sent, run.out);
    assert.equal(run.code, 130, run.out);
    const { lines, last } = frames(run.out);
    assert.ok(lines.length >= 3);
    // The signal's own log line (and teardown's) above the live line, whole.
    assert.match(run.out, /WARN.*interrupted/);
    assertLogLinesWhole(run.out);
    assert.match(last, /^\x1b\[1;35mABORTED\x1b\[22;39m {2}tty-interrupted\r\n {2}interrupted by SIGINT/);
  });
});

describe('drill run without a terminal', () => {
  it('plain progress lines on stderr between the log lines; colour on stdout only when FORCE_COLOR asks', async () => {
    const cli = (env: Record<string, string>) =>
      collect(
        spawn(process.execPath, ['--import', TSX, FAKE_CLI, passing, path.join(dir, 'out')], {
          cwd: ROOT,
          env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR')), DRILL_LOG_LEVEL: 'info', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
    const [forced, plainRun] = await Promise.all([cli({ FORCE_COLOR: '1' }), cli({})]);
    assert.equal(forced.code, 0, forced.err);
    assert.match(forced.out, /^\x1b\[1;32mPASS\x1b\[22;39m {2}tty-pass\n/);
    assert.match(plainRun.out, /^PASS {2}tty-pass\n/);
    assert.doesNotMatch(plainRun.out, /\x1b/);
    for (const run of [forced, plainRun]) {
      assert.ok(!run.err.includes('\r'), 'no carriage return');
      const lines = run.err.trimEnd().split('\n');
      // Every stderr line is a JSON log line or a progress line.
      for (const l of lines) assert.ok(l.startsWith('{') || /^drill \d+:\d\d \w+: /.test(l), l);
      assert.ok(lines.some((l) => l.startsWith('drill 0:00 preflight: ')));
      assert.ok(lines.some((l) => / fault: pause db-1 at 0\.5 s → healed$/.test(l)));
    }
  });
});
