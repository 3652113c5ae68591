import type { StackKind } from '../stacks/plugin.js';
import { composeStarter } from './compose-starter.js';
import { mysqlReplicationStarter } from './mysql-replication-starter.js';
import { postgresStarter } from './postgres-starter.js';
import { patroniStarter } from './patroni-starter.js';
import { redisSentinelStarter } from './redis-sentinel-starter.js';
import type { StarterContext } from './starter-context.js';

// `drill init`: a commented starter drill file per stack kind. Every kind of the schema must have one
// (the `satisfies` below fails to compile otherwise), and a test loads each through the validator.

interface Starter {
  /** The drill's name when the file name does not give one. */
  defaultName: string;
  render(ctx: StarterContext): string;
  /** What to do before `drill run`, for the message after writing. */
  before: string;
}

const STARTERS = {
  'redis-sentinel': {
    defaultName: 'redis-sentinel-kill-primary',
    render: redisSentinelStarter,
    before: "drill builds the stack itself: it needs a Docker engine and drill's images (bash scripts/setup)",
  },
  'mysql-replication': {
    defaultName: 'mysql-kill-primary',
    render: mysqlReplicationStarter,
    before: "drill builds the stack itself: it needs a Docker engine and drill's images (bash scripts/setup)",
  },
  postgres: {
    defaultName: 'pg-kill-primary',
    render: postgresStarter,
    before: "drill builds the stack itself: it needs a Docker engine and drill's images (bash scripts/setup)",
  },
  patroni: {
    defaultName: 'patroni-kill-leader',
    render: patroniStarter,
    before: "drill builds the stack itself: it needs a Docker engine and drill's images (bash scripts/setup)",
  },
  compose: {
    defaultName: 'compose-redis-kill-primary',
    render: composeStarter,
    before: 'start your stack first (the reference one: docker compose -p drill-ref up -d), and check project and endpoint',
  },
} satisfies Record<StackKind, Starter>;

/** Without a stack, `drill init` writes this one: the reference drill's kind, the quickest to run. */
export const DEFAULT_STARTER: StackKind = 'redis-sentinel';

export const STARTER_KINDS = Object.keys(STARTERS) as StackKind[];

export function isStarterKind(text: string): text is StackKind {
  return Object.hasOwn(STARTERS, text);
}

/** Same rule as the schema's `name`. */
const DRILL_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The name a file name gives ("drills/orders-failover.yaml" → "orders-failover"), when it is a valid drill name. */
export function nameFromFile(file: string): string | undefined {
  const base = file
    .replace(/\\/g, '/')
    .split('/')
    .pop()!
    .replace(/\.ya?ml$/i, '');
  return DRILL_NAME.test(base) ? base : undefined;
}

export function renderStarter(kind: StackKind, opts: { name?: string; schemaPath?: string }): string {
  const starter: Starter = STARTERS[kind];
  const header = opts.schemaPath === undefined ? '' : `# yaml-language-server: $schema=${opts.schemaPath}\n#\n`;
  return starter.render({ name: opts.name ?? starter.defaultName, header });
}

export function starterAdvice(kind: StackKind): string {
  const starter: Starter = STARTERS[kind];
  return starter.before;
}
