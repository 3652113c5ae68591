import { performance } from 'node:perf_hooks';
import { InfraError, errorMessage } from '../../util/errors.js';
import { abortReason } from '../../util/wait.js';
import { registerSecret } from '../../util/redact.js';
import { postAdminPrimary } from '../app-admin.js';
import { probeAll, psql, type PgCluster } from '../postgres/cluster.js';
import { ms, waitStreaming } from '../postgres/runbook.js';

// The repoint step on a PostgreSQL stack of the user's: the app first, then every other standby follows
// the new primary. drill does not know the user's replication credentials and must not change the
// standby's other settings (its application_name may be named in synchronous_standby_names), so it keeps
// the standby's own primary_conninfo and changes only its host: ALTER SYSTEM and a reload (PostgreSQL
// 13+ restarts the WAL receiver on a reload), as on drill's own stack.

/** `conninfo` with its host set to `host` (added when absent). Values in single quotes are kept whole. */
export function withHost(conninfo: string, host: string): string {
  const re = /(^|\s)host\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/;
  return re.test(conninfo) ? conninfo.replace(re, `$1host=${host}`) : `host=${host} ${conninfo}`.trim();
}

export async function repointComposePostgres(c: PgCluster, opts: { timeoutMs: number; signal: AbortSignal }): Promise<{ detail: string }> {
  const t0 = performance.now();
  const deadline = Date.now() + opts.timeoutMs;
  const primary = c.lastPrimary;
  const probes = await probeAll(c);
  const pp = probes.find((p) => p.node === primary)!;
  if (!pp.reachable) throw new InfraError(`cannot repoint to ${primary.container.name}: it does not answer (${pp.error})`);
  if (pp.inRecovery) throw new InfraError(`cannot repoint to ${primary.container.name}: it is a standby; promote first`);

  const tApp = performance.now();
  await postAdminPrimary(c, primary.container.name, Math.max(100, deadline - Date.now()));
  const appNote = `app → ${primary.container.name} in ${ms(tApp)}`;

  const notes = await Promise.all(
    probes
      .filter((p) => p.node !== primary)
      .map(async (p): Promise<string> => {
        const n = p.node.container.name;
        if (!p.reachable) return `${n} unreachable, skipped`;
        // A second primary is the drill's finding; rejoining it (pg_rewind) is a decision, not a repoint.
        if (!p.inRecovery) return `${n} is not a standby (a second primary?), left alone`;
        const t = performance.now();
        try {
          const [[current = ''] = []] = await psql(c, p.node, 'SHOW primary_conninfo', 3000);
          // The standby's replication password passes through here: masked in every output.
          registerSecret(/(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/.exec(current)?.[1]?.replace(/^'|'$/g, ''));
          const next = withHost(current, primary.container.name).replaceAll("'", "''");
          await psql(c, p.node, `ALTER SYSTEM SET primary_conninfo = '${next}'`, 3000);
          await psql(c, p.node, 'SELECT pg_reload_conf()', 3000);
          const state = await waitStreaming(c, p.node, primary, deadline, opts.signal);
          return `${n} → ${primary.container.name} ${state} in ${ms(t)}`;
        } catch (error) {
          if (opts.signal.aborted) throw abortReason(opts.signal);
          return `${n} could not be repointed: ${errorMessage(error)}`;
        }
      }),
  );
  const detail = `${appNote}; ${notes.join('; ') || 'no other standby'} (total ${ms(t0)})`;
  c.ctx.log.info({ primary: primary.container.name }, `runbook: repointed: ${detail}`);
  return { detail };
}
