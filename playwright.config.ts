import { defineConfig } from '@playwright/test';

// Browser tests of the reports (test/report/*.spec.ts) in Debian's Chromium: the browser cannot be
// downloaded here, so Playwright drives /usr/bin/chromium. Pages are opened from file:// only; the
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
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
});
