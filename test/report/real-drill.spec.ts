import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { ResultJson } from '../../src/report/result.js';
import { checkReport, openFile, readResult, REPO } from './report-checks.js';

// A REAL drill: the compiled CLI (run `npm run build` first) runs drills/redis-sentinel-kill-master.yaml in
// Docker (~25 s), and the report it wrote is checked against the result.json it wrote. Needs the Docker
// engine; a missing engine fails this test, it is never skipped.

const DRILL = 'drills/redis-sentinel-kill-master.yaml';
let out: { resultPath: string; reportPath: string; verdict: string; code: number | null; stderr: string };
let result: ResultJson;

test.describe.configure({ mode: 'serial', timeout: 300_000 });

// eslint-disable-next-line no-empty-pattern -- Playwright passes fixtures first; this hook needs none of them
test.beforeAll(async ({}, testInfo) => {
  test.setTimeout(300_000);
  await expectFreshBuild();
  // Inside Playwright's output dir: the real run's reports are kept as test artifacts (and cleaned next run).
  const dir = testInfo.outputPath('reports');
  out = await runDrill(['run', DRILL, '--out', dir, '--json'], 240_000);
  result = await readResult(out.resultPath);
});

test('the real drill wrote report.html, junit.xml and result.json, and the report shows the result exactly', async ({ page }, testInfo) => {
  // Sentinel fails over well inside the declared RTO: this drill passes, exit 0.
  expect(out.code, `exit code\n${out.stderr.slice(-2000)}`).toBe(0);
  expect(result.verdict).toBe('pass');
  expect(out.verdict).toBe(result.verdict);
  const dir = path.dirname(out.resultPath);
  expect((await stat(path.join(dir, 'junit.xml'))).size).toBeGreaterThan(200);
  const junit = await readFile(path.join(dir, 'junit.xml'), 'utf8');
  expect(junit).toContain(`tests="${result.objectives.length + 1}"`);
  await testInfo.attach('result.json', { path: out.resultPath, contentType: 'application/json' });
  await testInfo.attach('report.html', { path: out.reportPath, contentType: 'text/html' });
  await testInfo.attach('junit.xml', { path: path.join(dir, 'junit.xml'), contentType: 'application/xml' });
  const watch = await openFile(page, out.reportPath);
  await checkReport(page, result, watch, testInfo, 'real-drill');
  // The system's own evidence is on the chart: Sentinel's detection and switch-master.
  const chart = page.getByTestId('timeline-overview');
  for (const key of ['sdown', 'odown', 'switch-master']) await expect(chart.getByTestId(`marker-${key}`), key).toHaveCount(1);
  await expect(page.getByTestId('drill-sha256')).toHaveText(result.drill.sha256);
  await expect(page.getByTestId('primary-after')).toHaveText(result.stack.primaryAfter ?? 'unknown');
});

/** The spec drives dist/: refuse to test a build older than the report sources. */
async function expectFreshBuild(): Promise<void> {
  const built = await stat(path.join(REPO, 'dist', 'report', 'html-report.js')).catch(() => null);
  expect(built, 'dist/ is missing: run `npm run build` before `npx playwright test`').not.toBeNull();
  for (const f of ['report/html-report.ts', 'report/junit.ts', 'outputs/write-outputs.ts']) {
    const src = await stat(path.join(REPO, 'src', f));
    expect(src.mtimeMs <= built!.mtimeMs + 1000, `dist/ is older than src/${f}: run \`npm run build\` first`).toBeTruthy();
  }
}

function runDrill(args: string[], timeoutMs: number): Promise<typeof out> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'drill.js'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DRILL_LOG_LEVEL: 'info' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGINT'); // the drill heals and tears down on SIGINT
      reject(new Error(`drill ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr.slice(-3000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const json = JSON.parse(line) as { resultPath: string; reportPath: string; verdict: string };
        resolve({ resultPath: json.resultPath, reportPath: json.reportPath, verdict: json.verdict, code, stderr });
      } catch {
        reject(new Error(`drill exited ${code} without a JSON summary on stdout\nstdout: ${stdout.slice(-1000)}\nstderr: ${stderr.slice(-3000)}`));
      }
    });
  });
}
