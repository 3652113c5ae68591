import http from 'node:http';
import type { LiveRun, RunSnapshot } from '../run/live-view.js';
import { UsageError, errorMessage } from '../util/errors.js';
import { NO_MEMORY, readSnapshot, type ProgressMemory, type ProgressView } from './progress-state.js';

// `drill run --metrics-port N`: the run's live figures in the Prometheus text format on
// http://127.0.0.1:N/metrics (loopback only), so a dashboard can follow a drill while it runs. The names
// are the post-run metrics file's (outputs/prometheus.ts) where they mean the same thing (drill_writes);
// the rest say what only a live view knows (an outage going on, a fault in place, the phase).

/** How often the run is read: an outage is seen to within this (the report's RTO is the measured one). */
const READ_EVERY_MS = 100;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The exposition of one reading of the run. Pure. */
export function renderLiveMetrics(snap: RunSnapshot, view: ProgressView): string {
  const d = `drill="${escapeLabel(snap.drillName)}"`;
  const lines: string[] = [];
  const family = (name: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map(([labels, v]) => `${name}{${d}${labels}} ${v}`));
  };
  family('drill_run_info', 'The run going on: its id as a label (always 1).', [[`,run_id="${escapeLabel(snap.runId)}"`, 1]]);
  family('drill_run_phase', 'The phase the run is in (1), by name.', [[`,phase="${view.phase}"`, 1]]);
  family('drill_run_elapsed_seconds', 'Time since the run started.', [['', snap.elapsedMs / 1000]]);
  const w = snap.writes;
  if (w) {
    family('drill_writes_sent', 'Writes sent so far.', [['', w.sent]]);
    family('drill_writes', 'Writes so far by outcome (the post-run file has the final counts under the same name).', [
      [',outcome="ok"', w.ok],
      [',outcome="fail"', w.failed],
      [',outcome="unknown"', w.unknown],
    ]);
    family('drill_writes_in_flight', 'Writes sent and not answered yet.', [['', w.inFlight]]);
  }
  family('drill_outage_active', '1 while writes are failing (since the last ok write), 0 otherwise.', [['', view.outageMs === null ? 0 : 1]]);
  family('drill_outage_seconds', 'How long the current outage has lasted (0 when there is none).', [['', (view.outageMs ?? 0) / 1000]]);
  family('drill_fault_active', 'Faults of the drill file in place now.', [['', snap.faults.filter((f) => f.state === 'in-effect').length]]);
  family('drill_faults_injected', 'Faults of the drill file injected so far (in place or healed).', [['', snap.faults.filter((f) => f.state === 'in-effect' || f.state === 'healed').length]]);
  return `${lines.join('\n')}\n`;
}

export interface LiveMetricsServer {
  /** Start reading the run (called once it has begun). */
  observe(live: LiveRun): void;
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1:port before the run starts: a port in use is refused (exit 2) with nothing started. */
export async function serveLiveMetrics(port: number): Promise<LiveMetricsServer> {
  let live: LiveRun | null = null;
  let memory: ProgressMemory = NO_MEMORY;
  let body = '# the run has not started yet\n';
  const read = () => {
    if (!live) return;
    const snap = live.snapshot();
    const next = readSnapshot(memory, snap);
    memory = next.memory;
    body = renderLiveMetrics(snap, next.view);
  };
  const timer = setInterval(read, READ_EVERY_MS);
  timer.unref();
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('drill serves /metrics only\n');
      return;
    }
    read();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      clearInterval(timer);
      reject(new UsageError(`--metrics-port ${port}: cannot listen on 127.0.0.1:${port} (${errorMessage(error)})`));
    });
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    observe(run) {
      live = run;
      read();
    },
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
