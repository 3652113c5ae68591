import http from 'node:http';
import { engineHostAddress } from '../../engine/docker-client.js';

// etcd's own view of its leader, asked through each node's client port published on 127.0.0.1 (the v3
// gRPC gateway's maintenance/status: the answering member's id and the leader's id).

interface StatusAnswer {
  header?: { member_id?: string };
  leader?: string;
}

function status(port: number, timeoutMs: number): Promise<StatusAnswer | null> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: engineHostAddress(), port, path: '/v3/maintenance/status', method: 'POST', timeout: timeoutMs, agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as StatusAnswer);
          } catch {
            resolve(null);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      resolve(null);
    });
    req.end('{}');
  });
}

/** The index (in `ports`) of the node the answering nodes name as leader, or null when none does. */
export async function etcdLeader(ports: readonly number[], timeoutMs = 1000): Promise<{ index: number } | null> {
  const answers = await Promise.all(ports.map((p) => status(p, timeoutMs)));
  const leaderId = answers.find((a) => a?.leader)?.leader;
  const index = answers.findIndex((a) => a?.header?.member_id !== undefined && a.header.member_id === leaderId);
  return leaderId && index >= 0 ? { index } : null;
}
