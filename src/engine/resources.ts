import type Dockerode from 'dockerode';
import type { Docker } from './docker-client.js';
import { engineLocation, isGone, publishHostIp } from './docker-client.js';
import { INITIAL_PID_NAMESPACE, LABEL_KEPT, LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_OWNER_PID_NAMESPACE, LABEL_RUN_ID, ownPidNamespace, runFilter, runLabels, type RunIdentity } from './labels.js';
import { InfraError, errorMessage } from '../util/errors.js';
import net from 'node:net';
import os from 'node:os';

export interface ContainerPlan {
  /** Short node name used in drill files and reports: db-1, redis-2, sentinel-3, app-1. */
  node: string;
  name: string;
  role: string;
  image: string;
  cmd: string[];
  env?: Record<string, string>;
  /** Container ports published on 127.0.0.1 (random host port) so the runner can reach them. */
  publish?: number[];
  networkName: string;
  networkAliases?: string[];
  /** Linux capabilities beyond the engine's default set (never privileged): NET_ADMIN and NET_RAW for VRRP. */
  capAdd?: string[];
  /**
   * Mounts drill's lazy disk (a FUSE layer) inside: /dev/fuse and CAP_SYS_ADMIN, which a FUSE mount needs,
   * for this container only (docs/power-loss.md). Nothing is privileged.
   */
  lazyDisk?: boolean;
}

export interface RunningContainer {
  id: string;
  node: string;
  name: string;
  role: string;
  image: string;
  ip: string;
  /** The run network's gateway: where the runner's traffic (through the 127.0.0.1 published ports) comes from. */
  gateway?: string;
  /** container port → host port on 127.0.0.1 */
  ports: Record<number, number>;
  /** Its data is on drill's lazy disk: a power-loss fault may aim at it. */
  lazyDisk?: boolean;
}

export async function createNetwork(docker: Docker, run: RunIdentity, name: string): Promise<Dockerode.Network> {
  return docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: runLabels(run, 'network'),
  });
}

export async function startContainer(docker: Docker, run: RunIdentity, plan: ContainerPlan, attempt = 0): Promise<RunningContainer> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of plan.publish ?? []) {
    exposed[`${port}/tcp`] = {};
    // 127.0.0.1 only: the runner never reaches a drill container any other way. An explicit free port,
    // not an engine-assigned one: Docker assigns a new random port when a container is restarted (a
    // kill/restart fault with a duration), and the load and probes must find the node where it was.
    // (A remote engine: its publish address and a port free there; see publishHostIp().)
    bindings[`${port}/tcp`] = [{ HostIp: publishHostIp(), HostPort: String(engineLocation().local ? await freeLocalPort() : remotePort()) }];
  }
  const container = await docker.createContainer({
    name: plan.name,
    Image: plan.image,
    Cmd: plan.cmd,
    Env: Object.entries(plan.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { ...runLabels(run, plan.role), 'drill.node': plan.node },
    ExposedPorts: exposed,
    HostConfig: {
      NetworkMode: plan.networkName,
      PortBindings: bindings,
      // A drill container must not come back by itself after a kill: the fault is the point.
      RestartPolicy: { Name: 'no' },
      // An init as PID 1: a kill takes every process of the container with it (the lazy disk's too).
      Init: true,
      ...(plan.capAdd || plan.lazyDisk ? { CapAdd: [...(plan.capAdd ?? []), ...(plan.lazyDisk ? ['SYS_ADMIN'] : [])] } : {}),
      ...(plan.lazyDisk ? { Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }] } : {}),
    },
    NetworkingConfig: {
      EndpointsConfig: { [plan.networkName]: { Aliases: plan.networkAliases ?? [plan.name] } },
    },
  });
  try {
    await container.start();
  } catch (error) {
    // A port taken by the time the engine binds it is retried with another: a remote engine's free ports
    // cannot be checked from here, and a local one can refuse a port the kernel called free (Docker 20.10
    // refused 127.0.0.1:36063 for pg-3 in stop 40's CI with "port is already allocated": another container
    // given it before either started, or an allocator entry that nothing listens on; which, unknown).
    if (attempt < 5 && /port is already allocated|address already in use/i.test(errorMessage(error))) {
      await container.remove({ force: true }).catch(() => {});
      return startContainer(docker, run, plan, attempt + 1);
    }
    throw new InfraError(`container ${plan.name} (${plan.image}) did not start: ${errorMessage(error)}`);
  }
  const info = await container.inspect();
  const ports: Record<number, number> = {};
  for (const port of plan.publish ?? []) {
    const hostPort = info.NetworkSettings.Ports[`${port}/tcp`]?.[0]?.HostPort;
    if (!hostPort) throw new InfraError(`container ${plan.name}: port ${port} was not published`);
    ports[port] = Number(hostPort);
  }
  const ip = info.NetworkSettings.Networks[plan.networkName]?.IPAddress ?? '';
  const gateway = info.NetworkSettings.Networks[plan.networkName]?.Gateway || undefined;
  return { id: info.Id, node: plan.node, name: plan.name, role: plan.role, image: plan.image, ip, gateway, ports, ...(plan.lazyDisk ? { lazyDisk: true } : {}) };
}

/** A port on a remote engine's host, below the usual ephemeral range (a conflict there is retried). */
function remotePort(): number {
  return 20_000 + Math.floor(Math.random() * 12_000);
}

/**
 * Ports this process has handed out lately: not handed out again, since a container killed by a fault
 * frees its port until it is started again on the same one, and containers of one stack are created side
 * by side. Only the latest HANDED_OUT_KEPT: a scheduler running drills for months must not run out.
 */
const handedOut = new Set<number>();
const HANDED_OUT_KEPT = 2048;

/** A port free on 127.0.0.1 right now and not handed out lately by this process (the race with others is retried in startContainer). */
export async function freeLocalPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await kernelFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      // A Set iterates in insertion order: its first entry is the oldest.
      if (handedOut.size > HANDED_OUT_KEPT) handedOut.delete(handedOut.values().next().value!);
      return port;
    }
  }
  throw new InfraError('no free port on 127.0.0.1 that this process has not handed out lately');
}

function kernelFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export interface RemovalReport {
  containers: number;
  networks: number;
  errors: string[];
}

/** Remove every container, then every network, carrying the filter's labels. Already gone = success. */
export async function removeLabelled(docker: Docker, filters: { label: string[] }, select: (labels: Record<string, string>) => boolean = () => true): Promise<RemovalReport> {
  const report: RemovalReport = { containers: 0, networks: 0, errors: [] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
      .filter((c) => select(c.Labels ?? {}))
      .map(async (c) => {
        try {
          await docker.getContainer(c.Id).remove({ force: true, v: true });
          report.containers++;
        } catch (error) {
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
          if (!isGone(error)) report.errors.push(`container ${c.Names?.[0] ?? c.Id}: ${errorMessage(error)}`);
        }
      }),
  );
  const networks = await docker.listNetworks({ filters });
  for (const n of networks.filter((net) => select(net.Labels ?? {}))) {
    try {
      await docker.getNetwork(n.Id).remove();
      report.networks++;
    } catch (error) {
      if (!isGone(error)) report.errors.push(`network ${n.Name}: ${errorMessage(error)}`);
    }
  }
  return report;
}

export function removeRun(docker: Docker, runId: string): Promise<RemovalReport> {
  return removeLabelled(docker, runFilter(runId));
}

/**
 * Leftovers of runs whose owner process is gone (kill -9): removed; live runs on this engine are not.
 * Resources owned by a runner on another host (shared remote engine) or in another PID namespace (a
 * runner in a container) cannot be checked for liveness: a run leaves them alone, `drill cleanup`
 * (includeOtherHosts) removes them.
 */
export function removeDeadRuns(docker: Docker, isAlive: (pid: number) => boolean = pidAlive, opts: DeadRunOptions = {}): Promise<RemovalReport> {
  const self = { host: os.hostname(), pidNamespace: ownPidNamespace() };
  return removeLabelled(docker, runFilter(), (labels) => isDeadRun(labels, self, isAlive, opts));
}

/** Whether one resource's labels name a run to remove, seen from a runner on `self`. */
export interface DeadRunOptions {
  /** Also runs of another host or PID namespace, whose liveness cannot be checked (`drill cleanup`). */
  includeOtherHosts?: boolean;
  /** Also stacks kept on request (--keep-stack), whose owner exited on purpose (`drill cleanup`). */
  includeKept?: boolean;
}

export function isDeadRun(labels: Record<string, string>, self: { host: string; pidNamespace: string }, isAlive: (pid: number) => boolean, opts: DeadRunOptions = {}): boolean {
  if (!labels[LABEL_RUN_ID]) return false;
  if (labels[LABEL_KEPT] === 'true' && !opts.includeKept) return false;
  // No namespace label: made before drill wrote one, by a runner on the host itself.
  const namespace = labels[LABEL_OWNER_PID_NAMESPACE] ?? INITIAL_PID_NAMESPACE;
  if (labels[LABEL_OWNER_HOST] !== self.host || namespace !== self.pidNamespace) return Boolean(opts.includeOtherHosts);
  const pid = Number(labels[LABEL_OWNER_PID]);
  return !Number.isInteger(pid) || !isAlive(pid);
}

export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
