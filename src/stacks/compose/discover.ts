import type { ComposeStackSpec } from '../../spec/schema.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { registerSecret } from '../../util/redact.js';
import { engineHostAddress, isGone, type Docker } from '../../engine/docker-client.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { StackEvent } from '../stack.js';
import type { StackContext } from '../plugin.js';

// Bring your own stack (`stack: { kind: compose }`): drill starts nothing. It finds the running containers
// of a Compose project (or containers picked by labels or names), names them as drill's own stacks do
// (redis-1 …, sentinel-1 …, db-1 … in service order; app-1 is the container behind the endpoint), asks
// the databases which node is primary, and reaches every server only through the port it publishes.
// Faults act on these containers; at the end every container drill killed, stopped or paused is started
// or unpaused again (`restore`). Nothing here removes or re-creates a container: teardown removes only
// what carries the run's label (network-fault helpers). See docs/compose.md.

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
const LABEL_NUMBER = 'com.docker.compose.container-number';

/** A container of the user's stack, as found at the start of the run. */
export interface FoundContainer {
  id: string;
  name: string;
  service: string;
  image: string;
  /** container port → host port (published on an address the runner reaches). */
  published: Map<number, number>;
  /** Container ports it exposes without publishing them. */
  unpublished: number[];
  /** Every address and name other containers know it by: IPs on each network, name, service, aliases. */
  knownAs: Set<string>;
  /** IP on the network the stack shares. */
  ip: string;
  order: [string, number, string];
}

export interface ComposeContext {
  ctx: StackContext;
  spec: ComposeStackSpec;
  found: FoundContainer[];
  /** Base URL of the user's app. */
  appUrl: string;
  /** The container behind the endpoint, when it is one of the selected containers. */
  app: FoundContainer | undefined;
  /** How the containers were selected, for messages. */
  selection: string;
  /** The network most of the selected containers share (where drill's own layer containers join). */
  network: string;
}

function selectionText(spec: ComposeStackSpec): string {
  const parts = [
    spec.project ? `project ${spec.project}${spec.services ? ` (services ${spec.services.join(', ')})` : ''}` : '',
    spec.labels
      ? `labels ${Object.entries(spec.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`
      : '',
    spec.containers ? `containers ${spec.containers.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join(' and ');
}

/** The user's containers, as selected by the drill file, and their app endpoint. */
export async function discover(ctx: StackContext, spec: ComposeStackSpec): Promise<ComposeContext> {
  const { docker, log } = ctx;
  const selection = selectionText(spec);
  const label = [...(spec.project ? [`${LABEL_PROJECT}=${spec.project}`] : []), ...Object.entries(spec.labels ?? {}).map(([k, v]) => `${k}=${v}`)];
  const listed = await docker.listContainers({ all: true, ...(label.length ? { filters: { label } } : {}) });
  const names = spec.containers ? new Set(spec.containers.map((n) => n.replace(/^\//, ''))) : null;
  const selected = listed.filter((c) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
    const name = (c.Names?.[0] ?? '').replace(/^\//, '');
    if (names && !names.has(name)) return false;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
    if (spec.services && !spec.services.includes(c.Labels?.[LABEL_SERVICE] ?? '')) return false;
    // drill's own containers (a network-fault helper of another run joined to this stack) are never part of it.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
    return !c.Labels?.['drill.run-id'];
  });
  if (names) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
    const seen = new Set(selected.map((c) => (c.Names?.[0] ?? '').replace(/^\//, '')));
    const missing = [...names].filter((n) => !seen.has(n));
    if (missing.length) throw new InfraError(`compose stack: no container named ${missing.join(', ')}${label.length ? ` with ${label.join(', ')}` : ''} on this engine`);
  }
  const running = selected.filter((c) => c.State === 'running');
  const idle = selected.filter((c) => c.State !== 'running');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
  if (idle.length) log.warn({ containers: idle.map((c) => `${c.Names?.[0]?.replace(/^\//, '')} (${c.State})`) }, 'compose stack: containers that are not running are left out (and left alone)');
  if (running.length === 0) {
    throw new InfraError(
      `compose stack: no running container for ${selection} on this engine`,
      spec.project ? `start it first, e.g. \`docker compose -p ${spec.project} up -d\` (or \`docker-compose -p ${spec.project} up -d\`)` : 'start your stack first',
    );
  }

  const found = await Promise.all(running.map((c) => inspectFound(docker, c.Id)));
  // The network most of the stack shares carries the addresses faults and Sentinel use.
  const counts = new Map<string, number>();
  for (const f of found) for (const n of f.networks.keys()) counts.set(n, (counts.get(n) ?? 0) + 1);
  const shared = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  for (const f of found) f.ip = (shared ? f.networks.get(shared) : undefined) ?? [...f.networks.values()][0] ?? '';
  found.sort((a, b) => a.order[0].localeCompare(b.order[0]) || a.order[1] - b.order[1] || a.order[2].localeCompare(b.order[2]));

  const { appUrl, app } = resolveEndpoint(spec, found, selection);
  log.info({ selection, containers: found.map((f) => f.name), network: shared ?? null, appUrl }, 'compose stack: containers found');
  return { ctx, spec, found, appUrl, app, selection, network: shared ?? '' };
}

async function inspectFound(docker: Docker, id: string): Promise<FoundContainer & { networks: Map<string, string> }> {
  const info = await docker.getContainer(id).inspect();
  const name = info.Name.replace(/^\//, '');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
  const labels = info.Config.Labels ?? {};
  const service = labels[LABEL_SERVICE] ?? name;
  const published = new Map<number, number>();
  const unpublished: number[] = [];
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const [portText, proto] = key.split('/');
    if (proto !== 'tcp') continue;
    const containerPort = Number(portText);
    // IPv4 bindings first: the runner connects to an IPv4 address (or a host name that resolves to one).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
    const binding = (bindings ?? []).find((b) => !b.HostIp.includes(':')) ?? bindings?.[0];
    if (binding?.HostPort) published.set(containerPort, Number(binding.HostPort));
    else unpublished.push(containerPort);
  }
  const networks = new Map<string, string>();
  const knownAs = new Set<string>([name, service, info.Id, info.Id.slice(0, 12)]);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
  for (const [net, settings] of Object.entries(info.NetworkSettings.Networks ?? {})) {
    if (settings.IPAddress) {
      networks.set(net, settings.IPAddress);
      knownAs.add(settings.IPAddress);
    }
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- dockerode types Aliases loosely; they are names
    for (const alias of settings.Aliases ?? []) knownAs.add(alias);
  }
  return {
    id: info.Id,
    name,
    service,
    image: info.Config.Image,
    published,
    unpublished,
    knownAs,
    ip: '',
    networks,
    order: [service, Number(labels[LABEL_NUMBER] ?? 0), name],
  };
}

function resolveEndpoint(spec: ComposeStackSpec, found: FoundContainer[], selection: string): { appUrl: string; app: FoundContainer | undefined } {
  if (typeof spec.endpoint === 'string') {
    const url = new URL(spec.endpoint);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const app = found.find((f) => [...f.published.values()].includes(port));
    return { appUrl: spec.endpoint.replace(/\/$/, ''), app };
  }
  const { service, port } = spec.endpoint;
  const app = found.find((f) => f.service === service || f.name === service);
  if (!app) throw new InfraError(`compose stack: endpoint service ${service} is not among the running containers of ${selection} (${found.map((f) => f.service).join(', ')})`);
  const hostPort = app.published.get(port);
  if (!hostPort) throw new InfraError(`compose stack: endpoint ${service} does not publish port ${port}`, `publish it, e.g. ports: ["127.0.0.1::${port}"], or give endpoint as a URL`);
  return { appUrl: `http://${engineHostAddress()}:${hostPort}`, app };
}

/** Containers with the given container port published, named prefix-1 … in service order. */
export function nodesOf(c: ComposeContext, containerPort: number, prefix: string, role: string): RunningContainer[] {
  return c.found.filter((f) => f.published.has(containerPort) && f !== c.app).map((f, i) => toRunning(f, `${prefix}-${i + 1}`, role));
}

export function toRunning(f: FoundContainer, node: string, role: string): RunningContainer {
  return { id: f.id, node, name: f.name, role, image: f.image, ip: f.ip, ports: Object.fromEntries(f.published) };
}

/** The selected containers that expose `containerPort` without publishing it (drill cannot ask them). */
export function unpublishedWith(c: ComposeContext, containerPort: number): string[] {
  return c.found.filter((f) => !f.published.has(containerPort) && f.unpublished.includes(containerPort) && f !== c.app).map((f) => f.name);
}

/** What the containers are, for messages: "name (service, publishes 6379→49153)". */
export function describeFound(c: ComposeContext): string {
  return c.found.map((f) => `${f.name} (${[...f.published].map(([p, h]) => `${p}→${h}`).join(', ') || 'publishes nothing'})`).join('; ');
}

/** The container an address or name given by the system (Sentinel, SHOW SLAVE STATUS) stands for. */
export function containerKnownAs(c: ComposeContext, nodes: RunningContainer[], address: string): RunningContainer | undefined {
  const f = c.found.find((x) => x.knownAs.has(address));
  return f ? nodes.find((n) => n.id === f.id) : undefined;
}

/** A host port that changed (a restarted container with an engine-assigned port) is read again. */
export async function refreshPorts(docker: Docker, node: RunningContainer): Promise<boolean> {
  const info = await docker
    .getContainer(node.id)
    .inspect()
    .catch(() => null);
  if (!info?.State.Running) return false;
  let changed = false;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const port = Number(key.split('/')[0]);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
    const hostPort = Number((bindings ?? []).find((b) => !b.HostIp.includes(':'))?.HostPort ?? bindings?.[0]?.HostPort);
    if (hostPort && node.ports[port] !== hostPort) {
      node.ports[port] = hostPort;
      changed = true;
    }
  }
  return changed;
}

/**
 * A credential of the drill file, registered as a secret. Its `${NAME}` were already substituted when the
 * file was loaded (src/spec/yaml-env.ts): substituting again here would expand a `${…}` inside the value.
 */
export function credential(value: string | undefined): string | undefined {
  registerSecret(value);
  return value;
}

/**
 * Undo what the drill's faults left (a container killed without `duration`, a heal that failed): every
 * container that was running at the start is started or unpaused again. Nothing else is touched.
 */
export async function restoreContainers(c: ComposeContext, nodes: RunningContainer[], onEvent: (e: StackEvent) => void): Promise<RunningContainer[]> {
  const { docker, log, clock } = c.ctx;
  const restored: RunningContainer[] = [];
  await Promise.all(
    nodes.map(async (node) => {
      const container = docker.getContainer(node.id);
      try {
        const state = (await container.inspect()).State;
        if (state.Paused) await container.unpause();
        else if (!state.Running && !state.Restarting) await container.start();
        else return;
        restored.push(node);
        const message = `restored ${node.name}: ${state.Paused ? 'unpaused' : `started again (it was ${state.Status}${state.ExitCode ? `, exit ${state.ExitCode}` : ''})`}`;
        onEvent({ atMs: clock.nowMs(), source: 'stack', message, marker: 'restore' });
        log.info({ container: node.name }, message);
      } catch (error) {
        if (isGone(error) && !/no such container/i.test(errorMessage(error))) return; // already in the wanted state
        const message = `could not restore ${node.name}: ${errorMessage(error)}`;
        onEvent({ atMs: clock.nowMs(), source: 'stack', message, marker: 'restore-error' });
        log.error({ container: node.name, err: errorMessage(error) }, 'compose stack: a container could not be restored: start it by hand');
      }
    }),
  );
  return restored;
}
