// Part of `npm run build`, after tsc: bundles `drill validate`'s module graph (dist/cli/validate-command.js
// with drill's schema and checks, zod, yaml, croner) into dist/cli/validate-command.bundle.js, which the CLI
// loads in its place (src/cli/validate-loader.ts). Node.js 20 resolves, reads and links ESM modules one
// by one and keeps no compile cache (module.enableCompileCache is Node.js 22), so one file instead of
// ~200 saves about 70 ms of `drill validate`'s start (bench/cli-start.ts). Only this path is bundled: the
// commands that run drills load pino's transports and native bindings by file path.
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/cli/', import.meta.url));

/**
 * A module that finds files from its own location (import.meta.url: the monitoring layer's shipped alert
 * rules, three directories up from dist/layers/monitoring/) keeps it in the bundle: its URL, relative to
 * the bundle, which stays right wherever the package is installed.
 */
const ownModuleUrl: Plugin = {
  name: 'own-module-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(path.dirname(dist))) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const relative = path.relative(dist, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [`${dist}validate-command.js`],
  outfile: `${dist}validate-command.bundle.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // yaml's Node.js build is CommonJS and require()s node:process: an ESM bundle needs a require of its own.
  banner: { js: "import { createRequire as __drillCreateRequire } from 'node:module';\nconst require = __drillCreateRequire(import.meta.url);" },
  plugins: [ownModuleUrl],
  sourcemap: 'linked',
  legalComments: 'inline',
  logLevel: 'warning',
});
