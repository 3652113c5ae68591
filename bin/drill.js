#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (scripts/setup does it in a clone; the
// npm package ships dist/, built by prepack).
/* global process */
import('../dist/cli/main.js').catch((error) => {
  process.stderr.write(`drill: cannot start (${error.message}). In a clone of the repository, run \`bash scripts/setup\` first.\n`);
  process.exitCode = 3;
});
