import mysql from 'mysql2/promise';
import { AbortedError, InfraError, errorMessage } from '../../util/errors.js';
import { engineHostAddress } from '../../engine/docker-client.js';

// The runner's own SQL access to the databases: always through the port published on 127.0.0.1, one
// short-lived connection per operation (a probe must say "dead" quickly, and a connection to a node that
// was killed or paused must never be reused), with a deadline on the whole operation. Error messages
// are scrubbed of the run's passwords: a syntax error echoes the statement, and CHANGE MASTER carries one.

export type Row = Record<string, unknown>;

export interface Sql {
  /** Rows of one statement; `timeoutMs` bounds this statement alone. */
  rows(sql: string, params?: unknown[], timeoutMs?: number): Promise<Row[]>;
  /** One statement whose result does not matter. */
  exec(sql: string, params?: unknown[], timeoutMs?: number): Promise<void>;
}

export interface SqlTarget {
  /** Node name for messages (db-2). */
  node: string;
  port: number;
}

export class SqlClient {
  private readonly open = new Set<mysql.Connection>();

  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly secrets: string[],
  ) {}

  /** Replace every run secret in a message. */
  redact(message: string): string {
    let out = message;
    for (const s of this.secrets) if (s) out = out.split(s).join('***');
    return out;
  }

  /** Run `fn` on a fresh connection; the connection is destroyed after, and after `timeoutMs` in any case. */
  async with<T>(target: SqlTarget, fn: (sql: Sql) => Promise<T>, opts: { connectTimeoutMs?: number; timeoutMs?: number } = {}): Promise<T> {
    const connectTimeoutMs = opts.connectTimeoutMs ?? 1000;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    let conn: mysql.Connection | undefined;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const work = (async () => {
      const c = await mysql.createConnection({ host: engineHostAddress(), port: target.port, user: this.user, password: this.password, connectTimeout: connectTimeoutMs, supportBigNumbers: true });
      c.on('error', () => {}); // forwarded from the core connection: a fatal error reaches the pending query; the emitter must not crash us
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by another callback (signal handler, timer) while this one waits
      if (finished) {
        c.destroy();
        throw new Error('deadline passed while connecting');
      }
      conn = c;
      this.open.add(c);
      return fn(this.wrap(c));
    })();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer from ${target.node} within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } catch (error) {
      // drill's own errors already say what went wrong (and carry no secret); driver errors get the node.
      if (error instanceof InfraError || error instanceof AbortedError) throw error;
      throw new Error(`${target.node}: ${this.redact(errorMessage(error))}`, { cause: error });
    } finally {
      finished = true;
      clearTimeout(timer);
      work.catch(() => {});
      if (conn) {
        this.open.delete(conn);
        conn.destroy();
      }
    }
  }

  /** Destroy every connection still open (the stack is closing). */
  close(): void {
    for (const c of this.open) c.destroy();
    this.open.clear();
  }

  private wrap(c: mysql.Connection): Sql {
    const rows = async (sql: string, params: unknown[] = [], timeoutMs = 10_000): Promise<Row[]> => {
      const [result] = await c.query({ sql, timeout: timeoutMs }, params);
      return Array.isArray(result) ? (result as Row[]) : [];
    };
    return {
      rows,
      exec: async (sql, params, timeoutMs) => {
        await rows(sql, params, timeoutMs);
      },
    };
  }
}

export function str(row: Row | undefined, key: string): string {
  const v = row?.[key];
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- set by another callback (signal handler, timer) while this one waits
  return v === null || v === undefined ? '' : String(v);
}

export function num(row: Row | undefined, key: string): number {
  const n = Number(str(row, key));
  return Number.isFinite(n) ? n : 0;
}
