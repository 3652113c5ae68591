import { execChecked } from '../engine/docker-exec.js';
import { InfraError } from '../util/errors.js';
import { targetOf } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';
import { timeBox } from './time-box.js';
import { redisMistake } from './redis-mistake.js';

/**
 * An operator's destructive statement (DROP TABLE, DELETE without WHERE), run at a chosen time through
 * the server's own command-line client inside the node, as the administrator, like a person at a prompt.
 * In the same session, `@@last_gtid` is the GTID the server gave the statement: what a point-in-time
 * restore stops before. Nothing heals it. Redis: the command (FLUSHALL, DEL drill:writes) through
 * redis-cli inside the node (src/faults/redis-mistake.ts).
 */
export const operatorMistake: FaultPlugin<'operator-mistake'> = {
  kind: 'operator-mistake',
  network: false,
  inject: async (ctx, step) => {
    const data = ctx.stack.data;
    if (data.kind === 'redis') return redisMistake(ctx, step, data);
    if (data.kind !== 'mysql') throw new InfraError(`operator-mistake "${step.name}": only MariaDB/MySQL statements are built so far (stack ${ctx.stack.kind} holds ${data.kind} data)`);
    const c = await targetOf(ctx, step);
    // The statement goes as $1 (never spliced into the script); the password in the environment.
    const script = `mariadb --no-defaults -h 127.0.0.1 -P ${data.port} -u "$DRILL_USER" -N -B -e "$1; SELECT @@last_gtid"`;
    const injectedAtMs = ctx.clock.nowMs();
    const out = await execChecked(ctx.docker, c.id, `operator-mistake "${step.name}" on ${c.name}`, ['sh', '-c', script, 'sh', step.statement], {
      timeoutMs: 30_000,
      env: { MYSQL_PWD: data.password, DRILL_USER: data.user },
    });
    const injectReturnedAtMs = ctx.clock.nowMs();
    const gtid = out.stdout.trim().split('\n').at(-1)?.trim() ?? '';
    if (!/^\d+-\d+-\d+$/.test(gtid))
      throw new InfraError(`operator-mistake "${step.name}": the server gave no GTID for "${step.statement}" (got ${JSON.stringify(gtid)}): was it a statement that changes nothing?`);
    ctx.note({ atMs: injectReturnedAtMs, source: 'runner', message: `operator mistake "${step.name}" on ${c.name}: ${step.statement} committed as GTID ${gtid}` });
    return timeBox(
      ctx,
      { kind: step.fault, target: step.target, container: c.name, durationMs: undefined },
      { injectedAtMs, injectReturnedAtMs, undo: null, details: { name: step.name, statement: step.statement, gtid } },
    );
  },
};
