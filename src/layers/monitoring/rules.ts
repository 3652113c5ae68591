import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { DataKind } from '../../stacks/plugin.js';
import { errorMessage } from '../../util/errors.js';

// The alert rule files a monitoring layer loads into Prometheus: the user's (paths relative to the drill
// file) or drill's shipped examples for the stack's data (drills/alert-rules/). Read when the drill file
// is loaded, so an alert objective naming an alert no rule defines is a drill-file error (exit 2), not a
// drill that waits for an alert that cannot come.

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');

/** drill's shipped rules for a kind of data. */
export function shippedRulesFile(data: DataKind): string {
  return path.join(repoRoot, 'drills', 'alert-rules', `${data}.yaml`);
}

export interface RuleFile {
  /** As resolved (absolute). */
  path: string;
  text: string;
  /** Every `alert:` the file defines, with its `for:` as written (null when absent: fires at once). */
  alerts: { name: string; for: string | null }[];
}

/** Reads and checks one rule file: Prometheus's format (groups → rules), alerting rules listed. Throws Error with why. */
export function readRuleFile(file: string): RuleFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the rule file ${file}: ${errorMessage(error)}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new Error(`the rule file ${file} is not YAML: ${errorMessage(error).split('\n')[0]}`);
  }
  const groups = (doc as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(groups)) throw new Error(`the rule file ${file} has no "groups:" list (expected Prometheus's rule file format)`);
  const alerts: RuleFile['alerts'] = [];
  for (const group of groups) {
    const rules = (group as { rules?: unknown } | null)?.rules;
    if (!Array.isArray(rules)) continue;
    for (const rule of rules) {
      const r = rule as { alert?: unknown; for?: unknown } | null;
      if (typeof r?.alert === 'string') alerts.push({ name: r.alert, for: typeof r.for === 'string' ? r.for : null });
    }
  }
  return { path: file, text, alerts };
}

/** The rule files of a layer: each path resolved against `baseDir` (the drill file's folder); none declared: the shipped ones. */
export function resolveRulePaths(rules: readonly string[], baseDir: string, data: DataKind): string[] {
  if (rules.length === 0) return [shippedRulesFile(data)];
  return rules.map((r) => path.resolve(baseDir, r));
}
