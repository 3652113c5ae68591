import { redisMistakeProblem } from '../layers/backup/aof-scan.js';
import { formatDurationMs } from './duration.js';
import type { Segment } from './introspect.js';
import { quote, type Problem } from './problem.js';
import type { DrillSpec, MysqlReplicationStackSpec, StackSpec } from './schema.js';
import { descriptorOf } from '../stacks/descriptors.js';
import { nodeNames, nodeRange } from '../stacks/node-names.js';
import { layerDescriptorOf } from '../layers/descriptors.js';

// Rules that need more than one field, checked once the schema has accepted the file.

/** `has(path)`: whether the file itself has a value there (as opposed to a default). */
export function semanticProblems(spec: DrillSpec, has: (path: readonly Segment[]) => boolean): Problem[] {
  const problems: Problem[] = [];
  const at = (path: Segment[], message: string) => problems.push({ path, message, where: { node: path } });
  const loadDuration = formatDurationMs(spec.load.durationMs);
  const stack = spec.stack;

  // A planned switchover disturbs the writes too: a drill of one is a drill (it must not be felt). So is a
  // restore check: it loads the machine beside a serving primary, and that must not be felt either.
  const disruptive = spec.steps.filter((s) => s.kind === 'fault' || (s.kind === 'action' && (s.action === 'switchover' || s.action === 'failback' || s.action === 'restore-check')));
  if (disruptive.length === 0) {
    const kinds = [...new Set(spec.steps.map((s) => (s.kind === 'action' ? 'runbook' : s.kind)))];
    at(
      ['steps'],
      `expected at least one fault step (e.g. "- { at: 5s, fault: kill, target: primary }") or planned switchover ("- { at: 5s, action: switchover }"), got only ${kinds.join(' and ')} steps: a drill must break or change something`,
    );
  }

  // Read objectives judge the reads of load.reads; the fixture app serves them on drill's own stacks only.
  const readObjectives = (['readRto', 'readDowntime', 'staleReads', 'readYourWrites', 'dirtyReads'] as const).filter((name) => has(['objectives', name]));
  if (!spec.load.reads && readObjectives.length > 0) {
    at(
      ['objectives', readObjectives[0]!],
      `expected load.reads to be declared (e.g. "reads: { rate: 100, from: replica }" under load), got the read objective ${readObjectives[0]!} without reads to judge`,
    );
  }
  if (spec.load.reads && stack.kind === 'compose') {
    at(['load', 'reads'], "expected a redis-sentinel, mysql-replication or postgres stack, got kind compose: tracked reads need drill's fixture app (docs/reads.md)");
  }
  if (spec.load.reads?.pattern === 'own' && has(['objectives', 'staleReads'])) {
    at(['objectives', 'staleReads'], 'expected pattern any for staleReads: own reads are checked for read-your-writes (objectives.readYourWrites), not counted as stale');
  }
  if (spec.load.reads?.pattern === 'any' && has(['objectives', 'readYourWrites'])) {
    at(['objectives', 'readYourWrites'], 'expected load.reads.pattern: own for readYourWrites: random-key reads are checked for stale reads');
  }

  // Timing: faults inside the load, healed inside it, and every timed step in order.
  let previous: { atMs: number; index: number; fault: boolean } | undefined;
  spec.steps.forEach((step, index) => {
    if (step.kind !== 'fault' && !(step.kind === 'action' && step.atMs !== undefined)) return;
    const atMs = step.atMs!;
    const fault = step.kind === 'fault';
    if (fault && atMs >= spec.load.durationMs) {
      at(['steps', index, 'at'], `expected a time before the end of the load (load.duration: ${loadDuration}), got ${formatDurationMs(atMs)}: the fault would hit an idle system`);
    } else if (fault && step.durationMs !== undefined && atMs + step.durationMs >= spec.load.durationMs) {
      at(
        ['steps', index, 'duration'],
        `expected the fault to heal before the load ends (load.duration: ${loadDuration}), got at ${formatDurationMs(atMs)} + duration ${formatDurationMs(step.durationMs)} = ${formatDurationMs(atMs + step.durationMs)}: the heal would happen at or after the end of the load, so its effect could not be measured`,
      );
    }
    if (previous && fault && previous.fault && atMs <= previous.atMs) {
      at(['steps', index, 'at'], `fault steps must be in increasing "at" order: got ${formatDurationMs(atMs)}, not after steps[${previous.index}].at (${formatDurationMs(previous.atMs)})`);
    } else if (previous && atMs < previous.atMs) {
      at(
        ['steps', index, 'at'],
        `expected a time at or after steps[${previous.index}].at (${formatDurationMs(previous.atMs)}), got ${formatDurationMs(atMs)}: steps run in order, so this one would run late`,
      );
    }
    previous = { atMs, index, fault };
  });

  // Runbook steps: only where drill runs the failover (the stack's descriptor says), and only on nodes that exist.
  // Per-event objectives: for kinds of event the steps have, and what the stack can measure.
  const events = spec.objectives.events ?? {};
  const stepsOfKind = { failover: faultCount(spec), switchover: actionCount(spec, 'switchover'), failback: actionCount(spec, 'failback'), rejoin: actionCount(spec, 'rejoin') };
  for (const kind of ['failover', 'switchover', 'failback', 'rejoin'] as const) {
    if (events[kind] && stepsOfKind[kind] === 0) {
      at(['objectives', kind], `expected a ${kind === 'failover' ? 'fault' : `"action: ${kind}"`} step for these objectives to judge, got none in steps: remove objectives.${kind} or add the step`);
    }
  }
  if (events.rejoin?.errantTransactions !== undefined && (stack.kind === 'redis-sentinel' || (stack.kind === 'compose' && stack.system === 'redis-sentinel'))) {
    at(
      ['objectives', 'rejoin', 'errantTransactions'],
      'expected no errantTransactions objective on a Redis stack: a returning master is resynced from the new one, so what it alone had is counted as lost writes (use objectives.failover.lostWrites)',
    );
  }

  // Planned operations (switchover, failback, rejoin): where drill owns the nodes, on nodes that exist.
  const runbook = descriptorOf(stack).runbook(stack);
  const operations = descriptorOf(stack).operations(stack);
  spec.steps.forEach((step, index) => {
    if (step.kind !== 'action') return;
    if (step.action === 'switchover' || step.action === 'failback' || step.action === 'rejoin') {
      if (!operations.ok) at(['steps', index, 'action'], `runbook step "${step.action}" ${operations.why}`);
      else if (stack.kind !== 'compose') {
        const named = step.action === 'switchover' ? step.to : step.action === 'rejoin' ? step.node : null;
        const nodes = dataNodes(stack);
        if (named !== null && named !== 'best' && named !== 'former-primary' && !nodes.includes(named)) {
          at(
            ['steps', index, step.action === 'switchover' ? 'to' : 'node'],
            `expected ${step.action === 'switchover' ? '"best"' : '"former-primary"'} or a data node of this stack (${nodes.join(', ')}), got ${quote(named)}: ${replicasReason(stack, has)}`,
          );
        }
      }
      return;
    }
    // A restore from backup needs no failover runbook: a Redis stack restores its AOF (restoreProblems).
    if ((step.action === 'restore' && stack.kind === 'redis-sentinel') || step.action === 'restore-check') return;
    if (!runbook.ok) {
      at(['steps', index, 'action'], `runbook step "${step.action}" ${runbook.why}`);
      return;
    }
    if ((stack.kind === 'mysql-replication' || stack.kind === 'postgres') && step.action === 'promote' && step.candidate !== 'most-advanced' && !dataNodes(stack).includes(step.candidate)) {
      const prefix = stack.kind === 'postgres' ? 'pg' : 'db';
      at(
        ['steps', index, 'candidate'],
        `expected "most-advanced" or a database node of this stack (${nodeRange(prefix, 1, stack.replicas + 1)}), got ${quote(step.candidate)}: ${replicasReason(stack, has)}`,
      );
    }
  });
  // Targets: a role the stack has, or one of its nodes; network faults name groups of them.
  // What faults may aim at is the stack's own data (its descriptor); the reasons below explain a miss.
  const own = descriptorOf(stack).targets(stack);
  // A layer adds its own targets (the lb-vip layer: active-lb, backup-lb, lb-1, lb-2).
  const layerTargets = spec.layers.map((l) => layerDescriptorOf(l).targets?.(l as never) ?? { roles: [], nodes: [] });
  const targets = {
    ...own,
    roles: [...own.roles, ...layerTargets.flatMap((t) => t.roles)],
    nodes: [...own.nodes, ...layerTargets.flatMap((t) => t.nodes)],
    nodesText: [own.nodesText, ...layerTargets.flatMap((t) => t.nodes)].join(', '),
  };
  const redis = descriptorOf(stack).data(stack) === 'redis';
  const pluralRoles = targets.groupRoles;
  const checkTarget = (path: Segment[], target: string, inGroup: boolean) => {
    const accepted = inGroup ? [...targets.roles, ...pluralRoles, 'runner'] : targets.roles;
    if (accepted.includes(target) || targets.nodes.includes(target) || targets.nodePattern?.test(target)) return;
    const expected = `expected a role (${accepted.join(', ')}) or a node of this ${stack.kind} stack (${targets.nodesText}), got ${quote(target)}`;
    let why: string;
    if (target === 'active-lb' || target === 'backup-lb' || /^lb-\d+$/.test(target)) why = 'LB nodes come with an lb-vip layer (layers: [{ kind: lb-vip }]), which has lb-1 and lb-2';
    else if (target === 'sentinel' || target === 'sentinels') why = "only a redis-sentinel stack has Sentinels (a mysql-replication stack fails over by runbook or by drill's detector)";
    else if (pluralRoles.includes(target)) why = 'a plural role (every node of the role) is only for the groups of a partition or of loss.between';
    else {
      const prefix = target.replace(/-\d+$/, '');
      const kindsOf: Record<string, StackSpec['kind'][]> = {
        db: ['mysql-replication'],
        pg: ['postgres', 'patroni'],
        redis: ['redis-sentinel'],
        sentinel: ['redis-sentinel'],
        etcd: ['patroni'],
        haproxy: ['patroni'],
      };
      if (prefix === 'app') why = stack.kind === 'redis-sentinel' ? `stack.apps is ${stack.apps}${has(['stack', 'apps']) ? '' : ' (the default)'}` : `a ${stack.kind} stack has one app node, app-1`;
      else if (!kindsOf[prefix]?.includes(stack.kind)) why = `"${prefix}-…" nodes are in ${kindsOf[prefix]?.join(' and ') ?? 'no'} stacks`;
      else if (prefix === 'sentinel') why = `stack.sentinels is ${stack.kind === 'redis-sentinel' ? stack.sentinels : 0}${has(['stack', 'sentinels']) ? '' : ' (the default)'}`;
      else why = stack.kind === 'compose' ? `a compose stack of system ${stack.system} has ${redis ? 'redis-N, sentinel-N' : 'db-N'} and app-1 nodes` : replicasReason(stack, has);
    }
    at(path, `${expected}: ${why}`);
  };
  // Only the stacks drill can put on its lazy disk have a disk setting.
  const disk = 'disk' in stack ? stack.disk : undefined;
  spec.steps.forEach((step, index) => {
    if (step.kind !== 'fault') return;
    // The bad-backup faults act on the backup layer's store, which has no target to choose (checked with the restores).
    if (step.fault === 'corrupt-backup' || step.fault === 'break-binlog-chain' || step.fault === 'backup-store-down') return;
    if (step.fault === 'partition') {
      step.groups.forEach((group, g) => {
        group.forEach((member, m) => {
          checkTarget(['steps', index, 'groups', g, m], member, true);
        });
      });
    } else if (step.fault === 'power-loss') {
      step.nodes.forEach((member, m) => {
        const path: Segment[] = ['steps', index, 'nodes', m];
        if (/^(sentinels?|apps?|runner)$|^(sentinel|app)-\d+$/.test(member))
          at(path, `expected a data node (primary, replica, any-replica, replicas or a node such as redis-2), got ${quote(member)}: power loss is judged by what a data node's disk kept`);
        else checkTarget(path, member, true);
      });
      if (disk !== 'lazy') {
        at(
          ['steps', index, 'fault'],
          `power-loss needs the nodes' data on drill's lazy disk (stack.disk: lazy, on a redis-sentinel or mysql-replication stack), got ${disk !== undefined ? `disk ${disk}${has(['stack', 'disk']) ? '' : ' (the default)'}` : `a ${stack.kind} stack`}: on a plain disk a kill loses nothing the server wrote (it sits in the page cache), so it would not be power loss (docs/power-loss.md)`,
        );
      }
    } else if (step.fault === 'loss') {
      const hasTarget = has(['steps', index, 'target']);
      if (hasTarget && step.between) at(['steps', index, 'between'], 'expected either target (loss to and from one node) or between (loss between two groups), got both');
      else if (!hasTarget && !step.between) at(['steps', index], 'missing key "target" or "between": expected the node whose packets are dropped (target) or two groups (between)');
      if (hasTarget) checkTarget(['steps', index, 'target'], step.target, false);
      step.between?.forEach((group, g) => {
        group.forEach((member, m) => {
          checkTarget(['steps', index, 'between', g, m], member, true);
        });
      });
    } else if (step.fault === 'site-loss') {
      step.nodes.forEach((member, m) => {
        const path: Segment[] = ['steps', index, 'nodes', m];
        if (/^(sentinels?|apps?|runner)$|^(sentinel|app)-\d+$/.test(member))
          at(path, `expected a data node (primary, replica, replicas or a node such as db-2), got ${quote(member)}: the surviving clients and monitors are not part of the lost site`);
        else checkTarget(path, member, true);
      });
      if (stack.kind === 'compose')
        at(['steps', index, 'fault'], 'expected a stack drill starts (site-loss destroys containers and their data, and drill never removes what it did not create), got a compose stack');
    } else if (step.fault === 'latency') {
      checkTarget(['steps', index, 'target'], step.target, false);
      step.from?.forEach((member, m) => {
        const path: Segment[] = ['steps', index, 'from', m];
        if (member === 'runner') at(path, 'expected a node whose connections to the target are delayed, got "runner": drill\'s own probes must see the node\'s other clients undelayed');
        else if (member === step.target) at(path, `expected a node other than the target ${quote(step.target)}: a node's connections to itself are not a link`);
        else checkTarget(path, member, true);
      });
    } else {
      checkTarget(['steps', index, 'target'], step.target, false);
    }
  });

  if (disk === 'lazy' && 'image' in stack && stack.image !== undefined) {
    const own = stack.kind === 'redis-sentinel' ? 'Redis' : 'MariaDB';
    at(['stack', 'disk'], `disk: lazy needs drill's own ${own} image (it carries the lazy disk), got stack.image ${quote(stack.image)}: remove stack.image or use disk: plain`);
  }

  if (stack.kind === 'redis-sentinel' && stack.quorum !== undefined && stack.quorum > stack.sentinels) {
    const sentinels = has(['stack', 'sentinels']) ? `${stack.sentinels}` : `${stack.sentinels}, the default`;
    at(['stack', 'quorum'], `expected at most stack.sentinels (${sentinels}), got ${stack.quorum}: that quorum can never be reached`);
  }

  if (stack.kind === 'mysql-replication') {
    if (stack.delayedReplica && !dbNodes(stack).slice(1).includes(stack.delayedReplica.node)) {
      at(
        ['stack', 'delayedReplica', 'node'],
        `expected a replica node (${nodeRange('db', 2, stack.replicas + 1)}; db-1 starts as the primary), got ${quote(stack.delayedReplica.node)}${stack.delayedReplica.node === 'db-1' ? '' : `: ${replicasReason(stack, has)}`}`,
      );
    }
    if (stack.replication.mode !== 'semisync' && has(['stack', 'replication', 'semisyncTimeout'])) {
      const mode = has(['stack', 'replication', 'mode']) ? stack.replication.mode : `${stack.replication.mode} (the default)`;
      at(['stack', 'replication', 'semisyncTimeout'], `replication.semisyncTimeout applies to mode semisync only, got mode ${mode}: set replication.mode: semisync, or remove semisyncTimeout`);
    }
    if (stack.failover.mode !== 'auto') {
      const mode = has(['stack', 'failover', 'mode']) ? stack.failover.mode : `${stack.failover.mode} (the default)`;
      for (const key of ['checkInterval', 'failureThreshold', 'checkTimeout', 'catchUp']) {
        if (has(['stack', 'failover', key])) {
          const hint = key === 'catchUp' ? 'set failover.mode: auto, or remove it (a promote step has its own catchUp)' : 'set failover.mode: auto, or remove it';
          at(['stack', 'failover', key], `failover.${key} applies to mode auto only (drill's detector), got mode ${mode}: ${hint}`);
        }
      }
    }
  }

  if (stack.kind === 'postgres' && stack.failover.mode !== 'auto') {
    const mode = has(['stack', 'failover', 'mode']) ? stack.failover.mode : `${stack.failover.mode} (the default)`;
    for (const key of ['checkInterval', 'failureThreshold', 'checkTimeout', 'catchUp']) {
      if (has(['stack', 'failover', key])) at(['stack', 'failover', key], `failover.${key} applies to mode auto only (drill's detector), got mode ${mode}: set failover.mode: auto, or remove it`);
    }
  }

  if (stack.kind === 'compose') composeProblems(spec, stack, at);

  restoreProblems(spec, redis, at);

  // Layers: each one's descriptor says whether it fits beside this stack.
  spec.layers.forEach((layer, index) => {
    const fit = layerDescriptorOf(layer).fits(layer, stack);
    if (fit.ok) return;
    const path: Segment[] = ['layers', index, fit.key];
    problems.push({ path, message: fit.why, where: { node: has(path) ? path : ['layers', index] } });
  });

  // Availability needs the time between failures the recovery is set against.
  if (spec.objectives.availability !== undefined && !spec.availability) {
    at(['objectives', 'availability'], 'expected availability.mtbf beside it (e.g. `availability: { mtbf: 90d }`): availability is MTBF / (MTBF + RTO), and without an MTBF it cannot be worked out');
  }

  if (spec.measure.stableMs >= spec.load.durationMs) {
    const stable = formatDurationMs(spec.measure.stableMs);
    const written = has(['measure', 'stable']);
    const message = `expected a window shorter than load.duration (${loadDuration}), got ${stable}${written ? '' : ' (the default)'}: recovery could never be observed`;
    // Not written in the file: point at load.duration, the value the user wrote.
    problems.push({ path: ['measure', 'stable'], message, where: { node: written ? ['measure', 'stable'] : ['load', 'duration'] } });
  }
  return problems;
}

/** Restores from backup and operator mistakes (docs/backup-restore.md): what each needs beside it. */
function restoreProblems(spec: DrillSpec, redis: boolean, at: (path: Segment[], message: string) => void): void {
  const backup = spec.layers.find((l) => l.kind === 'backup');
  if (!backup && spec.objectives.backupAgeMs !== undefined)
    at(['objectives', 'backupAge'], 'expected a backup layer (layers: [{ kind: backup, every: 3s }]): backupAge is the age of its newest backup at the disaster');
  if (spec.objectives.restoreTimeMs !== undefined && !spec.steps.some((s) => s.kind === 'action' && s.action === 'restore'))
    at(['objectives', 'restoreTime'], 'expected a runbook step `action: restore`: restoreTime times a restore from backup to its first good write');
  if (backup?.method === 'physical' && spec.stack.kind === 'mysql-replication' && spec.stack.image !== undefined) {
    const index = spec.layers.indexOf(backup);
    at(
      ['layers', index, 'method'],
      `method: physical needs drill's own MariaDB image (mariadb-backup runs in the primary's container and on the restored node, matched to the server), got stack.image ${quote(spec.stack.image)}: remove stack.image or use method: dump`,
    );
  }
  const mistakes = new Map<string, number>();
  spec.steps.forEach((step, index) => {
    if (step.kind === 'fault' && step.fault === 'operator-mistake') {
      if (redis) {
        const problem = redisMistakeProblem(step.statement);
        if (problem) at(['steps', index, 'statement'], problem);
      } else if (spec.stack.kind === 'postgres')
        at(['steps', index, 'fault'], 'expected a MariaDB/MySQL stack for operator-mistake: its statements run through the mariadb client (PostgreSQL is not built yet)');
      if (mistakes.has(step.name)) at(['steps', index, 'name'], `expected a name no other operator-mistake step has, got ${quote(step.name)} twice`);
      mistakes.set(step.name, index);
    }
    if (step.kind === 'fault' && (step.fault === 'corrupt-backup' || step.fault === 'break-binlog-chain' || step.fault === 'backup-store-down')) {
      if (!backup) at(['steps', index, 'fault'], `expected a backup layer for ${step.fault} (layers: [{ kind: backup, every: 3s }]): it damages the backups that layer keeps`);
      else if (step.fault === 'break-binlog-chain' && !backup.binlogArchive)
        at(['steps', index, 'fault'], 'expected binlogArchive: true on the backup layer: break-binlog-chain removes a file of that archive');
      else if (step.fault === 'corrupt-backup' && step.backup === 'newest-full' && backup.method !== 'physical')
        at(['steps', index, 'backup'], `expected method: physical on the backup layer for backup: newest-full (only physical backups are full or incremental), got ${backup.method ?? 'the default'}`);
    }
    if (step.kind === 'action' && step.action === 'restore-check' && !backup)
      at(['steps', index, 'action'], 'expected a backup layer whose backups the restore check restores (layers: [{ kind: backup, every: 3s }]), got none');
    if (step.kind !== 'action' || step.action !== 'restore') return;
    if (step.before !== undefined && step.toTime !== undefined) at(['steps', index, 'to'], 'expected one target: `before: <mistake>` or `to: { time: ... }`, got both');
    if (redis && backup && backup.method !== 'aof')
      at(['steps', index, 'action'], `expected method: aof on the backup layer for a Redis restore: drill restores Redis onto a fresh node from a copy of its AOF, got ${backup.method ?? 'rdb'}`);
    if (step.toTime !== undefined && redis) at(['steps', index, 'to'], 'expected `before: <mistake>` or no target for a Redis restore: an AOF holds no timestamps');
    else if (step.toTime !== undefined && backup && !backup.binlogArchive)
      at(['steps', index, 'to'], 'expected binlogArchive: true on the backup layer: a point in time between two backups is reached by replaying the archived binlog');
    if (spec.stack.kind === 'compose')
      at(['steps', index, 'action'], 'expected a mysql-replication stack for a restore: drill provisions a fresh node only in stacks whose nodes it owns, not in your compose project');
    if (!backup) at(['steps', index, 'action'], 'expected a backup layer to restore from (layers: [{ kind: backup, every: 3s }]), got none');
    if (step.before !== undefined) {
      const mistake = mistakes.get(step.before);
      if (mistake === undefined)
        at(
          ['steps', index, 'before'],
          `expected the name of an operator-mistake step before this one (${mistakes.size ? [...mistakes.keys()].map((n) => quote(n)).join(', ') : 'there is none'}), got ${quote(step.before)}`,
        );
      if (backup && !backup.binlogArchive && !redis)
        at(['steps', index, 'before'], 'expected binlogArchive: true on the backup layer: a point in time between two backups is reached by replaying the archived binlog');
    }
  });
}

/** Which containers, and the credentials the system needs (see docs/compose.md). */
function composeProblems(spec: DrillSpec, stack: Extract<StackSpec, { kind: 'compose' }>, at: (path: Segment[], message: string) => void): void {
  if (!stack.project && !stack.labels && !stack.containers)
    at(['stack'], 'missing key "project", "labels" or "containers": expected which running containers are the stack (a Compose project name, labels, or container names)');
  if (stack.services && !stack.project) at(['stack', 'services'], 'services picks services of a Compose project: set stack.project too');
  if (stack.system === 'mysql-replication' && !stack.mysql)
    at(
      ['stack'],
      'missing key "mysql": a mysql-replication system needs the credentials drill probes and promotes with, e.g. mysql: { user: root, password: "${MYSQL_ROOT_PASSWORD}", replicationPassword: "${MYSQL_REPL_PASSWORD}" }',
    );
  if (stack.system !== 'mysql-replication' && stack.mysql) at(['stack', 'mysql'], `mysql applies to system mysql-replication, got ${stack.system}: remove it`);
  if (stack.system !== 'redis-sentinel') {
    for (const key of ['masterName', 'password'] as const)
      if (stack[key] !== undefined)
        at(
          ['stack', key],
          `${key} applies to system redis-sentinel, got ${stack.system}: remove it (${stack.system === 'postgres' ? 'drill asks PostgreSQL with psql inside its containers and needs no password' : 'MariaDB/MySQL credentials go in stack.mysql'})`,
        );
  }
  const repoint = spec.steps.findIndex((s) => s.kind === 'action' && s.action === 'repoint');
  if (repoint >= 0 && stack.mysql && !stack.mysql.replicationPassword)
    at(['steps', repoint, 'action'], 'runbook step "repoint" on a compose stack needs stack.mysql.replicationPassword: the other replicas are pointed at the new primary with it');
}

function faultCount(spec: DrillSpec): number {
  return spec.steps.filter((s) => s.kind === 'fault').length;
}

function actionCount(spec: DrillSpec, action: string): number {
  return spec.steps.filter((s) => s.kind === 'action' && s.action === action).length;
}

/** The data nodes of a stack drill starts: db-1 / redis-1 (the initial primary) and its replicas. */
function dataNodes(stack: Exclude<StackSpec, { kind: 'compose' }>): string[] {
  if (stack.kind === 'patroni') return nodeNames('pg', 1, stack.nodes);
  return nodeNames(stack.kind === 'mysql-replication' ? 'db' : stack.kind === 'postgres' ? 'pg' : 'redis', 1, stack.replicas + 1);
}

/** The database nodes of a MySQL stack: db-1 (the initial primary) … db-(replicas+1). */
function dbNodes(stack: MysqlReplicationStackSpec): string[] {
  return nodeNames('db', 1, stack.replicas + 1);
}

function replicasReason(stack: Exclude<StackSpec, { kind: 'compose' }>, has: (path: readonly Segment[]) => boolean): string {
  if (stack.kind === 'patroni') return `stack.nodes is ${stack.nodes} and stack.etcd is ${stack.etcd}${has(['stack', 'nodes']) && has(['stack', 'etcd']) ? '' : ' (defaults: 3 and 3)'}`;
  return `stack.replicas is ${stack.replicas}${has(['stack', 'replicas']) ? '' : ' (the default)'}`;
}
