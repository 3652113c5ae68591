import yargs from 'yargs';
import { packageVersion } from './package-version.js';
import { loadValidateCommand } from './validate-loader.js';
import { UsageError } from '../util/errors.js';

// drill's full command line, parsed by yargs: every command, flag, usage error and help text. The commonest
// invocations skip it (cli-fast-path.ts) when they can give the same output without it.

/** Parse the arguments (without `node` and the script) and run the command; errors are thrown. */
export async function runYargsCli(args: string[]): Promise<void> {
  const cli = yargs(args)
    .scriptName('drill')
    .usage('$0 <command> [options]\n\nChaos-engineering and disaster-recovery drills on Docker: real failover, real numbers.')
    .option('log-level', { type: 'string', default: process.env.DRILL_LOG_LEVEL ?? 'info', describe: 'pino log level (logs go to stderr)' })
    .command(
      'run <file>',
      'run a drill; write reports/<run>/ (result.json, report.html, junit.xml) and reports/index.html (--dry-run: print the plan, run nothing)',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'drill file (YAML or JSON)' })
          .option('out', { type: 'string', default: 'reports', describe: 'directory for the run reports' })
          .option('json', { type: 'boolean', default: false, describe: 'print the result summary as JSON on stdout' })
          .option('keep-stack', { type: 'boolean', default: false, describe: 'leave the stack running afterwards to inspect the data (faults are still healed); `drill cleanup` removes it' })
          .option('stop-timeout', { type: 'string', default: '30s', describe: 'after SIGINT/SIGTERM, the longest the run may take to heal, tear down and report before drill forces it' })
          .option('metrics-file', { type: 'string', describe: "also write the run's figures in Prometheus text format to this file (node_exporter's textfile collector: name it *.prom)" })
          .option('metrics-port', {
            type: 'number',
            describe: "serve the run's live figures (writes by outcome, outage going on, faults in place, phase) for Prometheus on http://127.0.0.1:<port>/metrics while it runs",
          })
          .option('notify-url', { type: 'string', describe: 'once the reports are written, POST the verdict as JSON to this webhook: http(s) on 127.0.0.1, [::1] or localhost only' })
          .option('dry-run', {
            type: 'boolean',
            default: false,
            describe: 'print what would happen (the plan: stack, images, load, faults and targets, runbook, objectives) and exit; nothing is started, the engine is not contacted',
          })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no live progress line: one plain line per phase, fault and outage; logs from warn up' }),
      async (argv) =>
        argv['dry-run']
          ? (await import('./run-dry-run-command.js')).runDryRunCommand({
              file: argv.file,
              outDir: argv.out,
              json: argv.json,
              keepStack: argv['keep-stack'],
              metricsFile: argv['metrics-file'],
              notifyUrl: argv['notify-url'],
            })
          : (await import('./run-command.js')).runCommand({
              quiet: argv.quiet,
              file: argv.file,
              outDir: argv.out,
              json: argv.json,
              logLevel: argv['log-level'],
              keepStack: argv['keep-stack'],
              stopTimeoutMs: await stopTimeoutMs(argv['stop-timeout']),
              metricsFile: argv['metrics-file'],
              ...(argv['metrics-port'] === undefined ? {} : { metricsPort: argv['metrics-port'] }),
              notifyUrl: argv['notify-url'],
            }),
    )
    .command(
      'init [stack]',
      'write a commented starter drill file for a stack: redis-sentinel (the default), mysql-replication or compose',
      (y) =>
        y
          .positional('stack', { type: 'string', describe: 'redis-sentinel (default), mysql-replication or compose' })
          .option('out', { type: 'string', describe: "the file to write (default: drill.yaml here); its name becomes the drill's name" })
          .option('force', { type: 'boolean', default: false, describe: 'replace the file if it exists' }),
      async (argv) => (await import('./init-command.js')).initCommand({ stack: argv.stack, out: argv.out, force: argv.force }),
    )
    .command(
      'validate <files..>',
      'check drill files without running them (every file; exit 2 if any is invalid)',
      (y) => y.positional('files', { type: 'string', array: true, demandOption: true }).option('json', { type: 'boolean', default: false }),
      async (argv) => (await loadValidateCommand()).validateCommand({ files: argv.files, json: argv.json }),
    )
    .command(
      'cleanup',
      'remove every container and network drill created on this engine (by label), except those of a live run',
      (y) =>
        y
          .option('force', { type: 'boolean', default: false, describe: 'also remove resources of runs that are still alive' })
          .option('images', { type: 'boolean', default: false, describe: "also remove drill's cached images" })
          .option('json', { type: 'boolean', default: false }),
      async (argv) => (await import('./cleanup-command.js')).cleanupCommand({ force: argv.force, images: argv.images, json: argv.json, logLevel: argv['log-level'] }),
    )
    .command(
      'images',
      "check drill's images and where each came from; --build builds what is missing",
      (y) =>
        y
          .option('build', { type: 'boolean', default: false, describe: "build missing images: FROM the registry's Debian image where one answers, else offline with debootstrap (root)" })
          .option('force', { type: 'boolean', default: false, describe: 'rebuild even if present' })
          .option('source', { type: 'string', choices: ['auto', 'registry', 'debootstrap'], describe: 'how to build the base image (default: DRILL_IMAGE_SOURCE, else auto)' })
          .option('json', { type: 'boolean', default: false }),
      async (argv) => (await import('./images-command.js')).imagesCommand({ build: argv.build || argv.force, force: argv.force, source: argv.source, json: argv.json, logLevel: argv['log-level'] }),
    )
    .command(
      'report [dir]',
      "rebuild a run's report.html + junit.xml from result.json (and the index), or a reports directory's index.html; --compare A B: what changed between two runs",
      (y) =>
        y
          .positional('dir', { type: 'string', describe: 'a run directory (reports/<runId>) or a reports directory' })
          .option('compare', { type: 'string', array: true, describe: 'compare two runs instead: run directories (or result.json files) A then B; text on stdout, HTML to --out' })
          .option('out', { type: 'string', describe: 'with --compare: the HTML file (default compare-<runIdA>-vs-<runIdB>.html here)' })
          .option('metrics-file', { type: 'string', describe: 'a run directory: also write its figures in Prometheus text format to this file (*.prom)' })
          .option('notify-url', { type: 'string', describe: 'a run directory: POST its verdict to this webhook again, as `drill run --notify-url` does (loopback only)' }),
      async (argv) => {
        if (argv.compare !== undefined)
          return (await import('./compare-command.js')).compareCommand({ paths: argv.compare, dir: argv.dir, out: argv.out, metricsFile: argv['metrics-file'], notifyUrl: argv['notify-url'] });
        if (argv.dir === undefined) throw new UsageError('report: name a run directory or a reports directory (drill report <dir>), or two runs to compare (drill report --compare A B)');
        if (argv.out !== undefined) throw new UsageError('--out is for --compare (the comparison page); drill report <dir> writes beside result.json');
        return (await import('./report-command.js')).reportCommand({ dir: argv.dir, metricsFile: argv['metrics-file'], notifyUrl: argv['notify-url'] });
      },
    )
    .command(
      'calibrate',
      'check the measurement on this host: freeze the database for an exact time and compare the measured downtime',
      (y) =>
        y
          .option('pause', { type: 'string', default: '1s', describe: 'how long to freeze the Redis master (no failover happens)' })
          .option('rate', { type: 'number', default: 300, describe: 'writes per second' })
          .option('runs', { type: 'number', default: 1 })
          .option('out', { type: 'string', default: 'reports' })
          .option('json', { type: 'boolean', default: false }),
      async (argv) => {
        const { parseDurationMs } = await import('../spec/duration.js');
        const pauseMs = parseDurationMs(argv.pause);
        if (pauseMs === undefined || pauseMs < 100 || pauseMs > 10_000) throw new UsageError(`--pause: expected a duration between 100ms and 10s, got ${JSON.stringify(argv.pause)}`);
        if (!Number.isInteger(argv.rate) || argv.rate < 10 || argv.rate > 5000) throw new UsageError(`--rate: expected an integer between 10 and 5000, got ${argv.rate}`);
        if (!Number.isInteger(argv.runs) || argv.runs < 1 || argv.runs > 20) throw new UsageError(`--runs: expected 1 to 20, got ${argv.runs}`);
        return (await import('./calibrate-command.js')).calibrateCommand({ pauseMs, rate: argv.rate, runs: argv.runs, outDir: argv.out, json: argv.json, logLevel: argv['log-level'] });
      },
    )
    .command(
      'schedule <paths..>',
      'run drills at the times of their cron expressions (drill file `schedule:` or --cron) until SIGTERM; reports and index as `run`',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'drill files, or directories of drill files' })
          .option('cron', { type: 'string', describe: 'cron expression for every drill given, instead of their `schedule:` (6 fields = seconds first)' })
          .option('out', { type: 'string', default: 'reports', describe: 'directory for the run reports' })
          .option('timezone', { type: 'string', describe: 'IANA time zone of the cron expressions (default: the local one)' })
          .option('parallel', { type: 'boolean', default: false, describe: 'let different drills run at the same time (default: one after the other)' })
          .option('json', { type: 'boolean', default: false, describe: 'one JSON line per finished run on stdout' })
          .option('dry-run', { type: 'boolean', default: false, describe: "print what would happen (each drill's next three run times) and exit; nothing is run" })
          .option('stop-timeout', { type: 'string', default: '30s', describe: 'after SIGINT/SIGTERM, the longest the running drill may take to heal, tear down and report before drill forces it' })
          .option('notify-url', { type: 'string', describe: "after each run's reports, POST its verdict to this webhook as `drill run --notify-url` does (loopback only)" })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'on a terminal: plain progress lines instead of the live line; logs from warn up' }),
      async (argv) => {
        const stopMs = await stopTimeoutMs(argv['stop-timeout']);
        if (argv['dry-run'])
          return (await import('./schedule-dry-run-command.js')).scheduleDryRunCommand({
            paths: argv.paths,
            cron: argv.cron,
            timezone: argv.timezone,
            json: argv.json,
            logLevel: argv['log-level'],
            notifyUrl: argv['notify-url'],
          });
        return (await import('./schedule-command.js')).scheduleCommand({
          quiet: argv.quiet,
          paths: argv.paths,
          cron: argv.cron,
          outDir: argv.out,
          logLevel: argv['log-level'],
          json: argv.json,
          parallel: argv.parallel,
          timezone: argv.timezone,
          stopTimeoutMs: stopMs,
          notifyUrl: argv['notify-url'],
        });
      },
    )
    .demandCommand(1, 'name a command: init, run, validate, cleanup, images, report, calibrate, schedule')
    .strict()
    .help()
    .version(packageVersion())
    .fail((message, error) => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- yargs passes no error for a usage problem
      if (error) throw error;
      // Thrown, not just reported: a mistyped flag must stop everything before a drill starts (exit 2).
      throw new UsageError(`${message}\n\nRun \`drill --help\` for usage.`);
    });
  await cli.parseAsync();
}

/** --stop-timeout: a duration from 5 s to 10 min (the watchdog needs about 10 s for its own way out). */
async function stopTimeoutMs(text: string): Promise<number> {
  const ms = (await import('../spec/duration.js')).parseDurationMs(text);
  if (ms === undefined || ms < 5000 || ms > 600_000) throw new UsageError(`--stop-timeout: expected a duration between 5s and 10m, got ${JSON.stringify(text)}`);
  return ms;
}
