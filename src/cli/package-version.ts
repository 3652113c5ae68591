import { readFileSync } from 'node:fs';

/**
 * drill's version, from its own package.json (two levels up from src/cli and dist/cli alike). Given to
 * yargs explicitly: left to guess, yargs reads the package.json beside the node_modules it is installed
 * in, which is the user's project when npm hoists it.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error("drill's package.json has no version");
  return pkg.version;
}
