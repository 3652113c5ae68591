import { execChecked } from '../engine/docker-exec.js';
import type { DataAccess } from '../stacks/stack.js';
import { InfraError } from '../util/errors.js';
import { mistakeWords } from '../layers/backup/aof-scan.js';
import { targetOf } from './container/container-fault.js';
import type { FaultContext, FaultStep, InjectedFault } from './plugin.js';
import { timeBox } from './time-box.js';

/**
 * A Redis operator mistake (FLUSHALL, DEL drill:writes) through redis-cli inside the node, like a person
 * at a prompt. It replicates to the replicas as any write does (a failover does not save you). Redis has
 * no GTID: the master's replication offset just before and just after bound where it went, and the AOF's
 * size after it is what a restore cuts back to at most (docs/backup-restore.md).
 */
export async function redisMistake(ctx: FaultContext, step: FaultStep<'operator-mistake'>, data: Extract<DataAccess, { kind: 'redis' }>): Promise<InjectedFault> {
  const c = await targetOf(ctx, step);
  const env = data.password ? { REDISCLI_AUTH: data.password } : undefined;
  const cli = ['redis-cli', '-p', String(data.port)];
  const info = async (what: string): Promise<Record<string, string>> => {
    const out = await execChecked(ctx.docker, c.id, `operator-mistake "${step.name}": INFO on ${c.name}`, [...cli, 'INFO', what], { timeoutMs: 10_000, ...(env ? { env } : {}) });
    return Object.fromEntries(
      out.stdout
        .split('\n')
        .map((l) => l.trim().split(':'))
        .filter((p) => p.length === 2)
        .map(([k, v]) => [k!, v!]),
    );
  };
  const before = await info('replication');
  if (before.role !== 'master') throw new InfraError(`operator-mistake "${step.name}": ${c.name} is a ${before.role ?? 'node of unknown role'}, not the master: the command would be refused`);
  const injectedAtMs = ctx.clock.nowMs();
  // The words go as arguments, never through a shell.
  const out = await execChecked(ctx.docker, c.id, `operator-mistake "${step.name}" on ${c.name}`, [...cli, ...mistakeWords(step.statement)], { timeoutMs: 30_000, ...(env ? { env } : {}) });
  const injectReturnedAtMs = ctx.clock.nowMs();
  const answer = out.stdout.trim();
  if (/^(ERR|WRONGTYPE|NOAUTH|READONLY)/.test(answer)) throw new InfraError(`operator-mistake "${step.name}": Redis refused "${step.statement}": ${answer}`);
  const after = { ...(await info('replication')), ...(await info('persistence')) };
  const replOffsetBefore = Number(before.master_repl_offset);
  const replOffsetAfter = Number(after.master_repl_offset);
  const aofBytesAfter = after.aof_enabled === '1' ? Number(after.aof_current_size) : undefined;
  ctx.note({
    atMs: injectReturnedAtMs,
    source: 'runner',
    message: `operator mistake "${step.name}" on ${c.name}: ${step.statement} answered ${JSON.stringify(answer)}, between replication offsets ${replOffsetBefore} and ${replOffsetAfter}${aofBytesAfter === undefined ? ' (no AOF)' : `, AOF ${aofBytesAfter} bytes after it`}`,
  });
  return timeBox(
    ctx,
    { kind: step.fault, target: step.target, container: c.name, durationMs: undefined },
    {
      injectedAtMs,
      injectReturnedAtMs,
      undo: null,
      details: { name: step.name, statement: step.statement, replOffsetBefore, replOffsetAfter, ...(aofBytesAfter === undefined ? {} : { aofBytesAfter }) },
    },
  );
}
