import { ALERTMANAGER_PORT, PROMETHEUS_PORT, RECEIVER_PORT, RULES_DIR } from './config.js';

// What the monitoring container runs: the configuration written from its environment (no files copied
// in), the exporters, Alertmanager, drill's webhook receiver and Prometheus, each in the background; when
// any of them ends the container ends, so a crash shows as a dead container, not a silent gap.

/**
 * Alertmanager's webhook receiver: it keeps every notification with the moment it arrived (the host's
 * clock: containers share the kernel's), and hands them back on GET. Node.js is in drill's base image.
 */
export const RECEIVER_SCRIPT = `
const http = require('node:http');
const got = [];
http.createServer((req, res) => {
  if (req.method === 'POST') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const receivedAtEpochMs = Date.now();
      try { got.push({ receivedAtEpochMs, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }); } catch { got.push({ receivedAtEpochMs, body: null }); }
      res.writeHead(200).end('ok');
    });
    return;
  }
  const text = JSON.stringify(got);
  res.writeHead(200, { 'content-type': 'application/json' }).end(text);
}).listen(${RECEIVER_PORT}, '0.0.0.0');
`;

/** The container's command (sh): files from MON_* variables, then every process. */
export function entrypointScript(exporters: readonly string[], ruleFiles: readonly string[]): string {
  const rules = ruleFiles.map((f, i) => `printf '%s' "$MON_RULES_${i}" > ${RULES_DIR}/${f}`);
  return [
    'set -e',
    `mkdir -p ${RULES_DIR} /tmp/prometheus /tmp/alertmanager`,
    `printf '%s' "$MON_PROMETHEUS" > /etc/drill/prometheus.yml`,
    `printf '%s' "$MON_ALERTMANAGER" > /etc/drill/alertmanager.yml`,
    ...rules,
    'set +e',
    // bash as PID 1 ignores SIGTERM: stop every process and end at once on `docker stop` or an engine shutdown.
    "trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM INT",
    ...exporters.map((e) => `${e} &`),
    `node -e "$MON_RECEIVER" &`,
    // No cluster gossip: one Alertmanager, nothing to peer with.
    `prometheus-alertmanager --config.file=/etc/drill/alertmanager.yml --storage.path=/tmp/alertmanager --cluster.listen-address= --web.listen-address=:${ALERTMANAGER_PORT} &`,
    `prometheus --config.file=/etc/drill/prometheus.yml --storage.tsdb.path=/tmp/prometheus --web.listen-address=:${PROMETHEUS_PORT} &`,
    'wait -n',
    'echo "monitoring: a process ended" >&2',
    'exit 1',
  ].join('\n');
}
