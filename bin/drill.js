#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (scripts/setup does it).
/* global process */
import('../dist/cli/main.js').catch((error) => {
  process.stderr.write(`drill: cannot start (${error.message}). Run \`bash scripts/setup\` first.\n`);
  process.exitCode = 3;
});
