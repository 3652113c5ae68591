import { runCli } from './cli.js';

// drill's entry point (bin/drill.js imports the compiled one). The arguments are process.argv after
// `node` and the script, as yargs' hideBin takes them for Node.js (drill is never an Electron app), cut
// here so the fast path need not import yargs' helpers.
await runCli(process.argv.slice(2), { fastPath: true });
