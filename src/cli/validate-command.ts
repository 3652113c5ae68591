import { DrillFileError, loadDrillFile } from '../spec/load-drill.js';
import { EXIT } from './exit-codes.js';

/** Validate every file; print each problem with file:line:column and path; exit 2 if any is invalid. */
export async function validateCommand(opts: { files: string[]; json: boolean }): Promise<void> {
  const results: { file: string; ok: boolean; errors: unknown[] }[] = [];
  for (const file of opts.files) {
    try {
      const { spec } = await loadDrillFile(file);
      results.push({ file, ok: true, errors: [] });
      if (!opts.json) process.stdout.write(`${file}: ok (${spec.name})\n`);
    } catch (error) {
      if (!(error instanceof DrillFileError)) throw error;
      results.push({ file, ok: false, errors: error.errors });
      if (!opts.json) process.stderr.write(`${error.message}\n`);
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  process.exitCode = results.every((r) => r.ok) ? EXIT.ok : EXIT.usage;
}
