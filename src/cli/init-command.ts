import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_STARTER, STARTER_KINDS, isStarterKind, nameFromFile, renderStarter, starterAdvice } from '../init/starter.js';
import { UsageError, errorMessage } from '../util/errors.js';
import { makeDir } from '../util/make-dir.js';

/** Where `drill init` writes without --out: the working directory, the name `drill run` is then given. */
export const DEFAULT_INIT_FILE = 'drill.yaml';

/** drill's JSON Schema, at the package root (dist/cli/ and src/cli/ are both two levels below it). */
const SCHEMA_FILE = fileURLToPath(new URL('../../drill.schema.json', import.meta.url));

/**
 * `drill init [stack] [--out FILE] [--force]`: write a commented starter drill file. No stack: the
 * reference kind, redis-sentinel, and the message names the others. An existing file is never replaced
 * without --force (exit 2); the file is opened with O_EXCL, so a file created meanwhile is not either.
 */
export async function initCommand(opts: { stack?: string; out?: string; force: boolean }): Promise<void> {
  const kind = opts.stack ?? DEFAULT_STARTER;
  if (!isStarterKind(kind)) throw new UsageError(`init: unknown stack ${JSON.stringify(kind)}: expected one of ${STARTER_KINDS.join(', ')} (drill init <stack>)`);
  const out = opts.out ?? DEFAULT_INIT_FILE;
  if (/\.json$/i.test(out)) throw new UsageError(`init: ${out}: drill init writes YAML with comments: name the file .yaml or .yml`);

  // The drill's name from the file's when one is given ("--out drills/orders-failover.yaml"), so two
  // starters do not share a name (and a history in the reports index).
  const name = opts.out === undefined ? undefined : nameFromFile(out);
  const text = renderStarter(kind, { name, schemaPath: schemaPathFrom(out) });
  try {
    await makeDir(path.dirname(path.resolve(out)));
    await writeFile(out, text, { flag: opts.force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`init: ${out} already exists: write another file with --out FILE, or replace it with --force`);
    if (code === 'EISDIR') throw new UsageError(`init: ${out} is a directory: name a file with --out FILE`);
    throw new UsageError(`init: cannot write ${out}: ${errorMessage(error)}`);
  }

  const others = STARTER_KINDS.filter((k) => k !== kind).join(', ');
  const chosen = opts.stack === undefined ? ` (no stack given: ${kind}; the others: drill init ${others})` : '';
  process.stdout.write(
    `wrote ${out}: a ${kind} drill${chosen}\n` +
      `  ${starterAdvice(kind)}\n` +
      `  check it:      drill validate ${out}\n` +
      `  see its plan:  drill run ${out} --dry-run\n` +
      `  run it:        drill run ${out}\n`,
  );
}

/**
 * The schema for the editor's YAML language server: relative to the written file inside drill's own
 * directory (as the shipped drills have it), a file URL elsewhere; none if it is missing.
 */
function schemaPathFrom(out: string): string | undefined {
  if (!existsSync(SCHEMA_FILE)) return undefined;
  const dir = path.dirname(path.resolve(out));
  const inside = path.relative(path.dirname(SCHEMA_FILE), dir);
  if (!inside.startsWith('..') && !path.isAbsolute(inside)) return path.relative(dir, SCHEMA_FILE).split(path.sep).join('/');
  return pathToFileURL(SCHEMA_FILE).href;
}
