// Part of `npm run build`, after tsc: bundles `drill validate`'s module graph (dist/cli/validate-command.js
// with drill's schema and checks, zod, yaml, croner) into dist/cli/validate-command.bundle.cjs and stores
// V8's compiled code for it beside it (.v8-cache), made by validating the shipped drills with it. The CLI
// loads these in place of the separate modules (src/cli/validate-loader.ts says why: Node.js 20 start-up).
// Only this path is bundled: the commands that run drills load pino's transports and native bindings by
// file path.
import { build, type Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist', 'cli');

/**
 * A module that finds files from its own location (import.meta.url: the monitoring layer's shipped alert
 * rules, three directories up from dist/layers/monitoring/) keeps it in the bundle: its URL, relative to
 * the bundle's, which stays right wherever the package is installed.
 */
const ownModuleUrl: Plugin = {
  name: 'own-module-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(path.join(root, 'dist') + path.sep)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const relative = path.relative(dist, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, __drillBundleUrl).href`), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [path.join(dist, 'validate-command.js')],
  outfile: path.join(dist, 'validate-command.bundle.cjs'),
  bundle: true,
  platform: 'node',
  // CommonJS: V8's stored code can be given to vm.Script, not to an ES module on Node.js 20.
  format: 'cjs',
  target: 'node20',
  banner: { js: "const __drillBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [ownModuleUrl],
  sourcemap: 'linked',
  legalComments: 'inline',
  logLevel: 'warning',
});

const drills = path.join(root, 'drills');
const files = readdirSync(drills)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => path.join(drills, f));
const code = `import { writeValidateCodeCache } from ${JSON.stringify(path.join(dist, 'validate-loader.js'))}; await writeValidateCodeCache(${JSON.stringify(files)});`;
const cache = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
if (cache.status !== 0) throw new Error(`storing V8's code for the validate bundle: exit ${cache.status ?? cache.signal ?? 'unknown'}`);
