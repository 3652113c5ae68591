import http from 'node:http';
import { engineHostAddress } from '../../engine/docker-client.js';

// Patroni's REST API, asked by the runner through each node's port published on 127.0.0.1: who is
// leader, who replicates and how (GET /cluster, GET /patroni). Short timeouts: a paused or partitioned
// node must not hold a question up.

export interface ClusterMember {
  name: string;
  role: string; // leader, replica, sync_standby, standby_leader
  state: string; // running, streaming, starting, stopped, ...
  host?: string;
  timeline?: number;
  lag?: number | string;
}

export interface NodeStatus {
  role: string; // master/primary or replica
  state: string;
  timeline?: number;
  /** On the leader: its walsenders (application_name is the member's name). */
  replication?: { application_name: string; state: string; sync_state: string }[];
  xlog?: { location?: number; received_location?: number; replayed_location?: number };
}

/** GET a JSON document; null when the node does not answer in time or answers something else. */
export function getJson(port: number, path: string, timeoutMs = 1000): Promise<{ status: number; body: unknown } | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: engineHostAddress(), port, path, timeout: timeoutMs, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => {
        resolve(null);
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      resolve(null);
    });
  });
}

export async function clusterView(port: number, timeoutMs = 1000): Promise<ClusterMember[] | null> {
  const answer = await getJson(port, '/cluster', timeoutMs);
  return (answer?.body as { members?: ClusterMember[] } | undefined)?.members ?? null;
}

export async function nodeStatus(port: number, timeoutMs = 1000): Promise<NodeStatus | null> {
  // /patroni answers 200 whatever the role (503 only when PostgreSQL is not running): the body says it.
  const answer = await getJson(port, '/patroni', timeoutMs);
  return (answer?.body as NodeStatus | undefined) ?? null;
}

/** The leader most answering nodes name in their /cluster (each reads etcd; an isolated node may still name itself). */
export function majorityLeader(views: readonly (ClusterMember[] | null)[]): { leader: string | null; answers: (string | null)[] } {
  const answers = views.filter((v): v is ClusterMember[] => v !== null).map((v) => v.find((m) => m.role === 'leader')?.name ?? null);
  const counts = new Map<string, number>();
  for (const a of answers) if (a) counts.set(a, (counts.get(a) ?? 0) + 1);
  let leader: string | null = null;
  let best = 0;
  for (const [name, n] of counts) {
    if (n > best) {
      leader = name;
      best = n;
    }
  }
  return { leader, answers };
}
