import path from 'node:path';
import type { DrillSpec } from './schema.js';
import type { Problem } from './problem.js';
import type { Segment } from './introspect.js';
import { descriptorOf } from '../stacks/descriptors.js';
import { readRuleFile, resolveRulePaths } from '../layers/monitoring/rules.js';

// Checks that need files beside the drill file, once the schema and the semantic rules have accepted
// it: a monitoring layer's alert rule files exist and are Prometheus rule files, and every alert its
// objectives name is defined in them. Resolves the rule paths (against the drill file's folder) in place.

export function ruleFileProblems(spec: DrillSpec, drillFile: string): Problem[] {
  const problems: Problem[] = [];
  const at = (path: Segment[], message: string) => problems.push({ path, message, where: { node: path } });
  spec.layers.forEach((layer, i) => {
    // Your own Prometheus has its own rules: they are checked against it when the run starts.
    if (layer.kind !== 'monitoring' || layer.external) return;
    const declared = layer.rules.length > 0;
    const paths = resolveRulePaths(layer.rules, path.dirname(drillFile), descriptorOf(spec.stack).data(spec.stack));
    const defined = new Set<string>();
    paths.forEach((p, j) => {
      try {
        for (const a of readRuleFile(p).alerts) defined.add(a.name);
      } catch (error) {
        at(declared ? ['layers', i, 'rules', j] : ['layers', i], (error as Error).message);
      }
    });
    if (problems.length > 0) return;
    const known = [...defined].sort().join(', ') || 'none';
    layer.alerts.forEach((a, k) => {
      if (!defined.has(a.name)) at(['layers', i, 'alerts', k, 'name'], `expected an alert defined in the rule files (${known}), got ${JSON.stringify(a.name)}`);
    });
    layer.noAlert.forEach((name, k) => {
      if (!defined.has(name)) at(['layers', i, 'noAlert', k], `expected an alert defined in the rule files (${known}), got ${JSON.stringify(name)}`);
    });
    layer.rules = paths;
  });
  return problems;
}
