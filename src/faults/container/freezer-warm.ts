import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

// An empty cgroup v1 freezer cgroup drill keeps FROZEN while a run with a pause is in flight. On cgroup v1
// the kernel's first freeze (no other cgroup freezing) turns on the `freezer_active` static key, and the
// last thaw turns it off: each patches code on every CPU while holding freezer_mutex
// (kernel/cgroup/legacy_freezer.c, freezer_apply_state), so the target's freeze and thaw, and every read of
// freezer.state that bounds them, wait for it: 2.7–3.5 ms here, 28–34 ms on a busy VM. With one cgroup
// already frozen the key stays on: 0.2–0.3 ms windows in a trial by hand (docs/design.md "Precision").
// The cgroup holds no task, so freezing it stops nothing. Its name carries the owner's pid: the next run
// (or `drill cleanup`) thaws and removes one whose owner died (kill -9). Only as root on a cgroup v1
// freezer hierarchy; elsewhere nothing is done.

/** The cgroup v1 freezer hierarchy's mount point. */
export const FREEZER_ROOT = '/sys/fs/cgroup/freezer';
const PREFIX = 'drill-warm-';

/** The warm cgroup of the owner `pid`. */
export const warmCgroupOf = (pid: number): string => path.join(FREEZER_ROOT, `${PREFIX}${pid}`);

let holders = 0;
let held: Promise<string | null> | null = null;
let warmDir: string | null = null;

/** The warm cgroup this process keeps frozen right now, or null. */
export const warmFreezerCgroup = (): string | null => warmDir;

/**
 * Take a reference to this process's warm cgroup, creating and freezing it on the first one. Resolves to
 * its path, or null where it cannot be kept (not root, no cgroup v1 freezer): the pause is then watched as
 * before, with the static key's cost in its window.
 */
export function holdFreezerWarm(): Promise<string | null> {
  holders++;
  held ??= createFrozen(warmCgroupOf(process.pid)).then((dir) => (warmDir = dir));
  return held;
}

/** Drop a reference; the last one thaws and removes the cgroup. Never throws (teardown goes on). */
export async function releaseFreezerWarm(): Promise<void> {
  if (holders === 0) return;
  holders--;
  if (holders > 0 || !held) return;
  const dir = await held;
  held = null;
  warmDir = null;
  if (dir) await thawAndRemove(dir);
}

/** Thaw and remove the warm cgroups of owners that are gone; returns how many. */
export async function removeDeadWarmCgroups(isAlive: (pid: number) => boolean): Promise<number> {
  const names = await readdir(FREEZER_ROOT).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const pid = Number(name.slice(PREFIX.length));
    if (!name.startsWith(PREFIX) || !Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    if (await thawAndRemove(path.join(FREEZER_ROOT, name))) removed++;
  }
  return removed;
}

async function createFrozen(dir: string): Promise<string | null> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  try {
    // Only on a v1 freezer hierarchy: its root has no freezer.state, its children do.
    await readFile(path.join(FREEZER_ROOT, 'cgroup.procs'), 'utf8');
    await mkdir(dir);
  } catch (error) {
    // Left by this pid's earlier life (a recycled pid): it is ours to reuse.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return null;
  }
  try {
    await writeFile(path.join(dir, 'freezer.state'), 'FROZEN');
    const state = (await readFile(path.join(dir, 'freezer.state'), 'utf8')).trim();
    if (state === 'FROZEN') return dir;
  } catch {
    // Not a freezer cgroup after all: removed below.
  }
  await thawAndRemove(dir);
  return null;
}

async function thawAndRemove(dir: string): Promise<boolean> {
  await writeFile(path.join(dir, 'freezer.state'), 'THAWED').catch(() => {});
  return rmdir(dir).then(
    () => true,
    () => false,
  );
}
