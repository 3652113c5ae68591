import { z } from 'zod';

// `stack: { kind: compose }`: bring your own stack. drill starts nothing: it finds the containers of a
// running Compose project (or containers picked by labels or names), asks the databases which node is
// primary, sends the load to your app, injects faults into your containers and heals them at the end.
// Implemented in src/stacks/compose/; documented in docs/compose.md.

const port = z.int().min(1).max(65_535);

/** A literal, or "${NAME}" / "${NAME:-default}" from drill's environment (substituted when the file is loaded, as in any value). Masked in logs and reports. */
const secret = z.string().min(1).max(500);

export const composeStack = z.strictObject({
  kind: z.literal('compose').describe('Your own running stack (a Compose project, or containers by labels or names): drill starts, removes and re-creates nothing; faults are healed at the end'),
  project: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a Compose project name: lower-case letters, digits, "_" and "-"')
    .optional()
    .describe('Compose project name (containers labelled com.docker.compose.project=NAME)'),
  services: z.array(z.string().min(1).max(200)).min(1).max(50).optional().describe('Only these services of the project (label com.docker.compose.service)'),
  labels: z.record(z.string().min(1).max(200), z.string().max(500)).optional().describe('Containers carrying every one of these labels'),
  containers: z.array(z.string().min(1).max(200)).min(1).max(50).optional().describe('Containers by name (with project or labels: only those of them)'),
  system: z
    .enum(['redis-sentinel', 'mysql-replication', 'postgres'])
    .describe('What the containers run: Redis with Sentinels, MariaDB/MySQL with GTID replication, or PostgreSQL streaming replication. Roles (primary, replica) are asked of it at run time'),
  endpoint: z
    .union([
      z.string().regex(/^https?:\/\/[^/\s?#]+\/?$/, 'a base URL such as "http://127.0.0.1:18081"'),
      z.strictObject({
        service: z.string().min(1).max(200).describe("The app's service (or container name)"),
        port: port.default(8080).describe("The app's port inside the container; it must be published"),
      }),
    ])
    .describe(
      "Your app, which answers POST /write?id=N after the database acknowledged (the fixture app's protocol, see docs/compose.md): a base URL, or a service and its container port (reached where the engine publishes it)",
    ),
  ports: z
    .strictObject({
      redis: port.default(6379).describe('Port Redis listens on inside its containers'),
      sentinel: port.default(26379).describe('Port Sentinel listens on inside its containers'),
      mysql: port.default(3306).describe('Port MariaDB/MySQL listens on inside its containers'),
      postgres: port.default(5432).describe('Port PostgreSQL listens on inside its containers (it picks them out; drill asks them with psql inside the container)'),
    })
    .prefault({})
    .describe('Container ports of the servers; Redis, Sentinel and MariaDB/MySQL ports must be published (on 127.0.0.1) so drill can ask them'),
  masterName: z.string().min(1).max(200).optional().describe('redis-sentinel: the Sentinel master name; default: the one master the Sentinels monitor'),
  password: secret.optional().describe('redis-sentinel: the Redis password (requirepass), or "${ENV_VAR}"'),
  mysql: z
    .strictObject({
      user: z.string().min(1).max(80).default('root').describe('An administrative user drill probes and promotes with (needs SUPER or the replication admin privileges)'),
      password: secret.describe('Its password, or "${ENV_VAR}"'),
      replicationUser: z.string().min(1).max(80).default('repl').describe('The user replicas connect to the primary with (for repoint)'),
      replicationPassword: secret.optional().describe('Its password, or "${ENV_VAR}" (needed by the repoint runbook step)'),
    })
    .optional()
    .describe('mysql-replication: credentials drill uses on the databases'),
  restore: z.boolean().default(true).describe('At the end, start again every container drill killed or stopped and unpause what it paused, and wait for it to rejoin'),
});
