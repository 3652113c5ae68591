import { formatDurationMs } from './duration.js';
import type { Segment } from './introspect.js';
import type { Problem } from './problem.js';
import type { DrillSpec } from './schema.js';

// Rules that need more than one field, checked once the schema has accepted the file.

/** `has(path)`: whether the file itself has a value there (as opposed to a default). */
export function semanticProblems(spec: DrillSpec, has: (path: readonly Segment[]) => boolean): Problem[] {
  const problems: Problem[] = [];
  const at = (path: Segment[], message: string) => problems.push({ path, message, where: { node: path } });
  const loadDuration = formatDurationMs(spec.load.durationMs);

  const faults = spec.steps.map((step, index) => ({ step, index })).filter((s) => s.step.kind === 'fault');
  if (faults.length === 0) {
    at(['steps'], 'expected at least one fault step (e.g. "- { at: 5s, fault: kill, target: primary }"), got only waitFor steps: a drill must break something');
  }

  let previous: { atMs: number; index: number } | undefined;
  for (const { step, index } of faults) {
    if (step.kind !== 'fault') continue;
    if (step.atMs >= spec.load.durationMs) {
      at(['steps', index, 'at'], `expected a time before the end of the load (load.duration: ${loadDuration}), got ${formatDurationMs(step.atMs)}: the fault would hit an idle system`);
    }
    if (previous && step.atMs <= previous.atMs) {
      at(['steps', index, 'at'], `fault steps must be in increasing "at" order: got ${formatDurationMs(step.atMs)}, not after steps[${previous.index}].at (${formatDurationMs(previous.atMs)})`);
    }
    previous = { atMs: step.atMs, index };
  }

  const stack = spec.stack;
  if (stack.kind === 'redis-sentinel' && stack.quorum !== undefined && stack.quorum > stack.sentinels) {
    const sentinels = has(['stack', 'sentinels']) ? `${stack.sentinels}` : `${stack.sentinels}, the default`;
    at(['stack', 'quorum'], `expected at most stack.sentinels (${sentinels}), got ${stack.quorum}: that quorum can never be reached`);
  }

  if (spec.measure.stableMs >= spec.load.durationMs) {
    const stable = formatDurationMs(spec.measure.stableMs);
    const written = has(['measure', 'stable']);
    const message = `expected a window shorter than load.duration (${loadDuration}), got ${stable}${written ? '' : ' (the default)'}: recovery could never be observed`;
    // Not written in the file: point at load.duration, the value the user wrote.
    problems.push({ path: ['measure', 'stable'], message, where: { node: written ? ['measure', 'stable'] : ['load', 'duration'] } });
  }
  return problems;
}
