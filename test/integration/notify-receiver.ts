import http from 'node:http';
import { freeLocalPort } from '../../src/engine/resources.js';

// A webhook receiver on 127.0.0.1 for --notify-url tests: it records every request (method, path,
// headers, body, when its body had arrived) and answers as told: 204, 500, or never.

export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
  receivedAtMs: number;
}

export interface Receiver {
  /** http://127.0.0.1:PORT/hook */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startReceiver(answer: 'ok' | 'error' | 'never' = 'ok'): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body, receivedAtMs: Date.now() });
      if (answer === 'ok') res.writeHead(204).end();
      else if (answer === 'error') res.writeHead(500, { 'content-type': 'text/plain' }).end('receiver down for the test');
      // 'never': the request stays open until the client gives up (or close() cuts it).
    });
  });
  const port = await freeLocalPort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
