// What the generators (gen-schema.ts, gen-cli-help.ts) share: write the generated file, or with `--check`
// only compare it with what is committed and exit 1 when it is stale.
import { readFile, writeFile } from 'node:fs/promises';

export async function writeOrCheck(target: string, text: string, command: string): Promise<void> {
  if (process.argv.includes('--check')) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${target} is stale: run \`${command}\`\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write(`${target} is up to date\n`);
    }
    return;
  }
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
