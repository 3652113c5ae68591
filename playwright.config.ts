import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** DRILL_CHROMIUM, else the first browser of the Chromium family found: Debian's, Ubuntu's, Google's (CI runners have it). */
const CHROMIUM = [process.env.DRILL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'].find(
  (p): p is string => typeof p === 'string' && p !== '' && existsSync(p),
);

// Browser tests of the reports (test/report/*.spec.ts) in the host's Chromium: the browser cannot be
// downloaded here, so Playwright drives an installed one (Debian's /usr/bin/chromium here). Pages are opened from file:// only; the
// flags keep Chromium from reaching out to anything. One worker: one spec runs a real drill in Docker.
export default defineConfig({
  testDir: 'test/report',
  testMatch: '**/*.spec.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  outputDir: 'test-results/report-artifacts',
  reporter: [['list'], ['junit', { outputFile: 'test-results/report-junit.xml' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1300, height: 900 },
    launchOptions: {
      executablePath: CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
});
