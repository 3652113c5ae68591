import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type ValidateModule = typeof import('./validate-command.js');

/**
 * `drill validate`'s module. The build bundles its whole module graph (drill's schema and checks, zod,
 * yaml) into one file beside it (scripts/bundle-validate.ts): Node.js 20 then resolves and links one
 * module instead of ~200, which saves about 70 ms of the start. Run from the sources (tsx) there is no
 * bundle, and the modules load one by one.
 */
export async function loadValidateCommand(): Promise<ValidateModule> {
  const bundle = new URL('./validate-command.bundle.js', import.meta.url);
  if (existsSync(fileURLToPath(bundle))) return (await import(bundle.href)) as ValidateModule;
  return import('./validate-command.js');
}
