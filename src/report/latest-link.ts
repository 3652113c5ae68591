import { rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// reports/latest → the newest run's directory, so a bookmark, a CI artifact path or `xdg-open
// reports/latest/report.html` always shows the last run. Replaced atomically (a new link renamed over
// the old one): a reader sees the previous run or the new one, never no link.

export const LATEST_LINK = 'latest';

/** Point <reports dir>/latest at the run directory `runDir` (a relative link: the tree can be moved). */
export async function updateLatestLink(runDir: string): Promise<string> {
  const reportsDir = dirname(runDir);
  const link = join(reportsDir, LATEST_LINK);
  const temp = join(reportsDir, `.${LATEST_LINK}.${process.pid}.tmp`);
  await rm(temp, { force: true });
  await symlink(basename(runDir), temp, 'dir');
  try {
    await rename(temp, link);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return link;
}
