import http from 'node:http';
import { InfraError, errorMessage } from '../util/errors.js';

// The fixture app's admin call for stacks whose failover is a runbook (mysql-replication, postgres).

/** Tell the app which node is primary (POST /admin/primary): its pool connects there from now on. */
export function postAdminPrimary(c: { appUrl: string }, host: string, timeoutMs: number): Promise<void> {
  const url = `${c.appUrl}/admin/primary?host=${encodeURIComponent(host)}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        if (res.statusCode === 200) resolve();
        else reject(new InfraError(`the app refused the new primary ${host}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (error) => {
      reject(new InfraError(`could not tell the app about the new primary ${host}: ${errorMessage(error)}`));
    });
    req.end();
  });
}
