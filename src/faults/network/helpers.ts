import type { FaultContext } from '../plugin.js';
import type { RunningContainer } from '../../engine/resources.js';
import { imageRefs } from '../../engine/images.js';
import { imagePresent } from '../../engine/pull-image.js';
import { isGone } from '../../engine/docker-client.js';
import { LABEL_ROLE, LABEL_RUN_ID, runLabels } from '../../engine/labels.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { execChecked, sh } from '../../engine/docker-exec.js';
import { PROBE_JS, PROBE_PATH, PROXY_JS, PROXY_PATH } from './scripts.js';

// A helper container joins one node's network namespace (NetworkMode container:<id>, NET_ADMIN) to run
// iptables, tc, the prober and the delaying proxy there, without touching the node's own image or
// processes. One per node, shared by the faults on that node (reference-counted), removed when the last
// of them has healed and proven its heal. It carries the run's labels, so teardown and `drill cleanup` remove it after a crash.

export const HELPER_ROLE = 'netfault';
export const LABEL_NETFAULT_NODE = 'drill.netfault-node';

export interface Helper {
  id: string;
  name: string;
  target: RunningContainer;
  /** The namespace's interface that carries the node's IP (eth0 in Docker's bridge mode). */
  iface: string;
  /**
   * The node's State.StartedAt when the helper joined it: a node restarted since runs in a new namespace
   * that this helper does not see (read before the helper was created, so a doubt counts as restarted).
   */
  targetStartedAt: string;
}

interface Entry {
  refs: number;
  helper: Promise<Helper>;
}

const registry = new Map<string, Entry>();

/** The node's State.StartedAt ('' when it cannot be read): a restart gives the node a new namespace. */
const startedAtOf = (ctx: FaultContext, target: RunningContainer): Promise<string> =>
  ctx.docker
    .getContainer(target.id)
    .inspect()
    .then(
      (i) => i.State.StartedAt,
      () => '',
    );

/** One helper per node and namespace: a node restarted since gets a new one (the old one sees the old namespace). */
const keyOf = (ctx: FaultContext, target: RunningContainer, startedAt: string) => `${ctx.run.runId}/${target.id}/${startedAt}`;

/** The helper of a node: started on the first call, shared after. Pair every call with releaseHelper(). */
export async function acquireHelper(ctx: FaultContext, target: RunningContainer): Promise<Helper> {
  const startedAt = await startedAtOf(ctx, target);
  const key = keyOf(ctx, target, startedAt);
  const entry = registry.get(key);
  if (entry) {
    entry.refs += 1;
    return entry.helper;
  }
  const created: Entry = { refs: 1, helper: startHelper(ctx, target, '', startedAt) };
  registry.set(key, created);
  created.helper.catch(() => {
    if (registry.get(key) === created) registry.delete(key);
  });
  return created.helper;
}

/** Drop one reference; the last one removes the container ("already gone" is success). */
export async function releaseHelper(ctx: FaultContext, helper: Helper): Promise<void> {
  const key = keyOf(ctx, helper.target, helper.targetStartedAt);
  const entry = registry.get(key);
  if (entry) {
    entry.refs -= 1;
    if (entry.refs > 0) return;
    registry.delete(key);
  }
  await removeContainer(ctx, helper.id, helper.name);
}

async function removeContainer(ctx: FaultContext, id: string, name: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).remove({ force: true });
  } catch (error) {
    if (!isGone(error)) throw new InfraError(`removing network helper ${name}: ${errorMessage(error)}`);
  }
}

/**
 * This run's network helpers in the namespace of `target` (NetworkMode container:<id>): what drill runs
 * inside that node, such as the delaying proxy of a slow link, which holds the node's outgoing bytes.
 */
export async function helpersInNamespaceOf(ctx: FaultContext, target: RunningContainer): Promise<{ id: string; name: string }[]> {
  const list = await ctx.docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN_ID}=${ctx.run.runId}`, `${LABEL_ROLE}=${HELPER_ROLE}`] } });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits HostConfig and Names in some API versions and states
  return list.filter((c) => c.HostConfig?.NetworkMode === `container:${target.id}`).map((c) => ({ id: c.Id, name: c.Names?.[0]?.replace(/^\//, '') ?? c.Id }));
}

/** Remove a helper container ("already gone" is success). */
export const removeHelperContainer = (ctx: FaultContext, id: string, name: string): Promise<void> => removeContainer(ctx, id, name);

let imageCheck: Promise<string> | undefined;

/** drill's redis image (iptables, iproute2, nodejs), checked once per process (hashing the recipes takes ~100 ms). */
function helperImage(ctx: FaultContext): Promise<string> {
  imageCheck ??= (async () => {
    const tag = (await imageRefs()).redis.tag;
    if (!(await imagePresent(ctx.docker, tag))) {
      throw new InfraError(`network faults need drill's own image ${tag} (iptables, iproute2, nodejs) for their helper containers`, 'build it offline with `drill images --build`');
    }
    return tag;
  })();
  imageCheck.catch(() => (imageCheck = undefined));
  return imageCheck;
}

/**
 * A helper outside the registry, for one job, removed after it: heal uses it when the node's helper is
 * gone but the node (and so the rules in its namespace) is still there.
 */
export async function withTemporaryHelper<T>(ctx: FaultContext, target: RunningContainer, fn: (helper: Helper) => Promise<T>): Promise<T> {
  const helper = await startHelper(ctx, target, `-heal${Date.now().toString(36).slice(-4)}`);
  try {
    return await fn(helper);
  } finally {
    await removeContainer(ctx, helper.id, helper.name).catch(() => {});
  }
}

async function startHelper(ctx: FaultContext, target: RunningContainer, suffix = '', startedAt?: string): Promise<Helper> {
  const name = `drill-${ctx.run.token}-net-${target.node}${suffix}`;
  const image = await helperImage(ctx);
  // Read before the helper joins: a doubt counts as restarted (liveHelpers).
  const targetStartedAt = startedAt ?? (await startedAtOf(ctx, target));
  const create = () =>
    ctx.docker.createContainer({
      name,
      Image: image,
      // The scripts arrive as arguments: no image of their own, no copy step.
      Cmd: sh(`printf '%s' "$1" > ${PROBE_PATH} && printf '%s' "$2" > ${PROXY_PATH} && exec sleep infinity`, PROBE_JS, PROXY_JS),
      Labels: { ...runLabels(ctx.run, HELPER_ROLE), [LABEL_NETFAULT_NODE]: target.node },
      HostConfig: {
        NetworkMode: `container:${target.id}`,
        CapAdd: ['NET_ADMIN'],
        RestartPolicy: { Name: 'no' },
        Init: true,
      },
    });
  let container;
  try {
    container = await create();
  } catch (error) {
    // A helper of this very run left behind by a heal that failed, or one in the namespace of the node
    // before a restart (no use now): it is ours, replace it.
    if ((error as { statusCode?: number }).statusCode !== 409) throw new InfraError(`network helper ${name}: ${errorMessage(error)}`);
    await removeContainer(ctx, name, name);
    container = await create();
  }
  try {
    await container.start();
    // Wait for the scripts, check that iptables works here (NET_ADMIN), learn the interface of the node's IP.
    const ready = await execChecked(
      ctx.docker,
      container.id,
      `network helper ${name} for ${target.name}`,
      sh(
        `for i in $(seq 200); do [ -s ${PROXY_PATH} ] && break; sleep 0.01; done; [ -s ${PROXY_PATH} ] || { echo 'scripts not written' >&2; exit 1; }; iptables -S INPUT >/dev/null && ip -o -4 addr show`,
      ),
    );
    const iface =
      ready.stdout
        .split('\n')
        .find((l) => l.includes(` ${target.ip}/`))
        ?.split(/\s+/)[1] ?? 'eth0';
    return { id: container.id, name, target, iface, targetStartedAt };
  } catch (error) {
    await removeContainer(ctx, container.id, name).catch(() => {});
    if (error instanceof InfraError) throw error;
    throw new InfraError(`network helper ${name} for ${target.name} did not start (is ${target.name} running?): ${errorMessage(error)}`);
  }
}
