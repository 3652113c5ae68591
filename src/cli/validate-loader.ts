import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

type ValidateModule = typeof import('./validate-command.js');

// `drill validate`'s module. The build bundles its whole module graph (drill's schema and checks, zod,
// yaml, croner: ~200 modules) into one CommonJS file beside this one (scripts/bundle-validate.ts), and
// stores V8's compiled code for it, made by a validate run at build time. Node.js 20 has no compile
// cache of its own (module.enableCompileCache is Node.js 22), so this is the one way to skip resolving
// the modules one by one and compiling 1.2 MB of JavaScript on every start: ~70 ms for the bundle,
// ~50 ms more for the stored code (bench/cli-start.ts, README "Benchmarks"). V8 checks the stored code
// against the source and its own version and flags and compiles afresh if they differ. Run from the
// sources (tsx) there is no bundle: the modules load one by one.

const BUNDLE = fileURLToPath(new URL('./validate-command.bundle.cjs', import.meta.url));
const CODE_CACHE = `${BUNDLE}.v8-cache`;

/** The bundle compiled (with the stored code when there is one) and run as CommonJS. */
function runBundle(cachedData: Buffer | undefined): { module: ValidateModule; script: vm.Script } {
  const script = new vm.Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  return { module: module.exports as ValidateModule, script };
}

export async function loadValidateCommand(): Promise<ValidateModule> {
  if (!existsSync(BUNDLE)) return import('./validate-command.js');
  return runBundle(existsSync(CODE_CACHE) ? readFileSync(CODE_CACHE) : undefined).module;
}

/** Whether the stored code is there and V8 takes it (test/unit/cli-validate-bundle.test.ts). */
export function codeCacheAccepted(): boolean {
  if (!existsSync(BUNDLE) || !existsSync(CODE_CACHE)) return false;
  return runBundle(readFileSync(CODE_CACHE)).script.cachedDataRejected === false;
}

/**
 * Build step (scripts/bundle-validate.ts, in a plain `node` as the CLI runs, its stdout ignored): validate these drill files
 * with the bundle compiled afresh, then store V8's code for it, which by then holds every function the
 * validation ran. Throws if a file is invalid (a shipped drill must validate).
 */
export async function writeValidateCodeCache(files: string[]): Promise<void> {
  const { module, script } = runBundle(undefined);
  await module.validateCommand({ files, json: false });
  if (process.exitCode !== 0 && process.exitCode !== undefined) throw new Error(`validate failed on ${files.join(', ')}`);
  writeFileSync(CODE_CACHE, script.createCachedData());
}
