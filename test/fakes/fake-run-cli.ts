import { writeFileSync } from 'node:fs';
import { runCommand } from '../../src/cli/run-command.js';
import { FakeEngine } from './fake-engine.js';

// `drill run` as the CLI runs it (progress, colour, summary, exit code), on the fake engine, stack and
// load: for tests that drive the command under a pseudo-terminal without Docker.
//   node --import tsx test/fakes/fake-run-cli.ts <drill file> <out dir> [--json] [--quiet] [--fail-promote]
// DRILL_TEST_PID_FILE: write this process's pid there once the run starts (to signal it).

const [file, outDir, ...flags] = process.argv.slice(2);
if (!file || !outDir) throw new Error('usage: fake-run-cli.ts <drill file> <out dir> [--json] [--quiet] [--fail-promote]');
const engine = new FakeEngine();
engine.failPromote = flags.includes('--fail-promote');
const pidFile = process.env.DRILL_TEST_PID_FILE;
if (pidFile) writeFileSync(pidFile, String(process.pid));
await runCommand({
  file,
  outDir,
  json: flags.includes('--json'),
  quiet: flags.includes('--quiet'),
  logLevel: process.env.DRILL_LOG_LEVEL ?? 'info',
  keepStack: false,
  stopTimeoutMs: 30_000,
  deps: { docker: engine.docker, stacks: engine.stackPlugins(), createLoad: (o) => engine.createLoad(o) },
});
