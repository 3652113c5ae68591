// Dependency rules for src/ (`npm run lint:deps`): no import cycles, type-only imports included, and the
// layering of docs/architecture.md: util/ at the bottom, measure/ below everything that runs or reports.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import cycle (type-only imports count too).', from: {}, to: { circular: true } },
    { name: 'util-is-the-bottom', severity: 'error', comment: 'src/util imports nothing else of drill.', from: { path: '^src/util/' }, to: { path: '^src/', pathNot: '^src/util/' } },
    {
      name: 'measure-stays-low',
      severity: 'error',
      comment: 'src/measure is pure arithmetic over the history: it imports no runner, report, CLI, engine or plug-in code.',
      from: { path: '^src/measure/' },
      to: { path: '^src/(run|report|cli|outputs|stacks|layers|faults|runbook|engine|schedule)/' },
    },
    { name: 'no-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
