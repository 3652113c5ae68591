// A test hook, and only that: DRILL_TEST_HANG=<phase> makes that point of a run wait forever, deaf to
// signals, so the tests can prove the watchdog ends a stuck run (test/integration/results-survive.test.ts).
// Points: the run's phases (preflight, up, warmup, steps, load, verify) and `report` (writing the outputs).

export function testHang(point: string): Promise<void> {
  if (process.env.DRILL_TEST_HANG !== point) return Promise.resolve();
  // A timer keeps the process alive the way a hung socket would.
  return new Promise<void>(() => {
    setInterval(() => {}, 60_000);
  });
}
