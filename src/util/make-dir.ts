import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * `mkdir -p` with a bound: one mkdir per missing path component, no retry. Node's own recursive mkdir
 * loops forever where mkdir answers ENOENT for a parent that exists (seen on /proc with Node 20: 100 %
 * CPU, and the process never reaches its signal handlers' outcome). Errors are the system's, with the
 * component that failed.
 */
export async function makeDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const found = await stat(current).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    });
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory: ${current}`), { code: 'ENOTDIR', path: current });
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const component of missing.reverse()) {
    await mkdir(component).catch(async (error: unknown) => {
      // Created meanwhile by someone else: fine when it is a directory.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(component)).isDirectory()) return;
      throw error;
    });
  }
}
