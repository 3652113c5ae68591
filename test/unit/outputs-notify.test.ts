import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { it } from 'node:test';
import { notificationBody } from '../../src/outputs/notify-body.js';
import { checkNotifyUrl } from '../../src/outputs/notify-url.js';
import { postJson } from '../../src/outputs/notify.js';
import type { ResultJson } from '../../src/report/result.js';
import { UsageError } from '../../src/util/errors.js';

const fixture = async (name: string) => JSON.parse(await readFile(path.join(import.meta.dirname, '..', 'fixtures', 'results', `${name}.result.json`), 'utf8')) as ResultJson;
const paths = { reportPath: '/srv/reports/run/report.html', resultPath: '/srv/reports/run/result.json' };

it('--notify-url: http(s) on a loopback host only, as the URL parser normalises it', () => {
  for (const ok of ['http://127.0.0.1:9000/hook', 'https://127.0.0.1/x?token=1', 'http://[::1]:9000/', 'http://localhost:9000/hook', 'http://LOCALHOST/', 'http://127.1:9000/']) {
    assert.ok(checkNotifyUrl(ok) instanceof URL, ok);
  }
  for (const bad of [
    'http://10.0.0.1/x',
    'http://example.com/',
    'http://127.0.0.2/',
    'http://127.0.0.1.nip.io/',
    'http://[::ffff:10.0.0.1]/',
    'ftp://127.0.0.1/',
    'file:///tmp/x',
    'http://u:p@127.0.0.1/',
    '127.0.0.1:9000',
    '',
  ]) {
    assert.throws(() => checkNotifyUrl(bad), UsageError, bad);
  }
  assert.throws(() => checkNotifyUrl('http://10.0.0.1/x'), /10\.0\.0\.1 is not a loopback address\. drill sends traffic only to 127\.0\.0\.1 .*local agent or forwarder/);
});

it('notification body: a PASS in two chat lines, the figures structured', async () => {
  const r = await fixture('pass-redis-kill-master');
  const body = notificationBody(r, paths);
  const [first, second, ...rest] = body.text.split('\n');
  assert.match(first!, /^PASS {2}redis-sentinel-kill-master: RTO [\d.]+ s ± [\d.]+ m?s, 0 lost writes; every objective met$/);
  assert.equal(second, 'report: /srv/reports/run/report.html');
  assert.deepEqual(rest, []);
  assert.equal(body.drill.measured!.rtoMs, r.measured!.rtoMs);
  assert.equal(body.drill.measured!.totalWrites, r.measured!.totalWrites);
  assert.ok(body.drill.objectives.every((o) => o.state === 'met'));
});

it('notification body: aborted with nothing measured, not-measured objectives, no report written', async () => {
  const r = await fixture('fail-lost-writes');
  const aborted: ResultJson = {
    ...r,
    verdict: 'aborted',
    reason: 'interrupted by SIGINT',
    measured: null,
    objectives: [{ name: 'rtoMs', declared: 10000, measured: null, met: false, unit: 'ms', state: 'not-measured', why: 'aborted' }],
  };
  const body = notificationBody(aborted, { reportPath: null, resultPath: '/tmp/drill-x-result.json' });
  assert.equal(body.text, `ABORTED  ${r.drill.name}: nothing measured; not measured: RTO; interrupted by SIGINT\nresult.json: /tmp/drill-x-result.json`);
  assert.equal(body.drill.measured, null);
  assert.deepEqual(body.drill.objectives, [{ name: 'rtoMs', declared: 10000, measured: null, unit: 'ms', precisionMs: null, state: 'not-measured' }]);
});

it('notification body: hostile text cannot ping a channel or break the lines', async () => {
  const r = await fixture('hostile-error');
  const body = notificationBody({ ...r, reason: 'boom <!channel> & more\n\u001b[31mred' }, paths);
  assert.equal(body.text.split('\n').length, 2);
  assert.doesNotMatch(body.text, /[<>\u001b]/);
  assert.match(body.text, /&lt;!channel&gt; &amp; more/);
  assert.equal(body.drill.reason, 'boom <!channel> & more\n\u001b[31mred', 'the structured field is the value as is (JSON carries it safely)');
});

/** A local server answering each request with `answer`; the paths it saw. */
async function server(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: string[] = [];
  const s = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    seen,
    base,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => {
          resolve();
        });
      }),
  };
}

it('postJson: a redirect is never followed (it could lead off loopback); a 4xx is not retried', async () => {
  const srv = await server((req, res) => {
    if (req.url === '/hook') res.writeHead(302, { location: '/elsewhere' }).end();
    else res.writeHead(400).end('invalid_payload');
  });
  try {
    const redirected = await postJson(new URL(`${srv.base}/hook`), { text: 'x' }, { retryDelayMs: 10 });
    assert.equal(redirected.delivered, false);
    assert.equal(redirected.status, 302);
    assert.match(redirected.problem ?? '', /redirect, not followed/);
    assert.deepEqual(srv.seen, ['/hook']);
    const refused = await postJson(new URL(`${srv.base}/bad`), { text: 'x' }, { retryDelayMs: 10 });
    assert.deepEqual([refused.delivered, refused.attempts, refused.problem], [false, 1, 'HTTP 400 Bad Request: invalid_payload']);
  } finally {
    await srv.close();
  }
});

it('postJson: the timeout bounds an attempt that gets no answer', async () => {
  const srv = await server(() => {
    // never answers
  });
  try {
    const d = await postJson(new URL(`${srv.base}/hook`), { text: 'x' }, { timeoutMs: 200 });
    assert.deepEqual([d.delivered, d.attempts, d.status, d.problem], [false, 1, null, 'no answer within 200 ms']);
    assert.ok(d.elapsedMs >= 190 && d.elapsedMs < 2000, `${d.elapsedMs} ms`);
  } finally {
    await srv.close();
  }
});
