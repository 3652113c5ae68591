import { loadDrillForCli } from './load-drill-for-cli.js';
import { checkNotifyUrl, shownNotifyUrl } from '../outputs/notify-url.js';
import { buildPlan } from '../plan/build-plan.js';
import { renderPlan } from '../plan/render-plan.js';
import { redact } from '../util/redact.js';
import { EXIT } from './exit-codes.js';

/**
 * `drill run <file> --dry-run`: print what the run would do (the plan: stack, images, load, faults and
 * their targets, runbook, objectives, layers, outputs) and exit, touching nothing: no engine call (the
 * engine client is not even loaded), no reports directory, no notification. Exit 0 for a valid drill file,
 * 2 for an invalid one or a bad flag, as `drill run` would. `drill schedule --dry-run` is the same idea
 * for the times of the runs.
 */
export async function runDryRunCommand(opts: { file: string; outDir: string; json: boolean; keepStack: boolean; metricsFile?: string; notifyUrl?: string }): Promise<void> {
  // The flags `drill run` would refuse are refused here too.
  const notifyUrl = opts.notifyUrl === undefined ? undefined : shownNotifyUrl(checkNotifyUrl(opts.notifyUrl));
  const loaded = await loadDrillForCli(opts.file);
  const plan = await buildPlan(loaded, { outDir: opts.outDir, keepStack: opts.keepStack, metricsFile: opts.metricsFile, notifyUrl });
  // The plan is masked already; the text is masked again, as every output of drill is.
  process.stdout.write(opts.json ? `${JSON.stringify(plan)}\n` : redact(renderPlan(plan)));
  process.exitCode = EXIT.ok;
}
