import type { DrillVariable } from '../spec/load-drill.js';

// What `drill run --dry-run` prints: everything a run would do, resolved as far as it can be without the
// engine. Roles stay roles ("primary (whichever node is primary at 5s)"): only the running system can
// say which node that is. Printed as text, or as this shape with --json.

export interface NodePlan {
  name: string;
  /** What it is at the start of the run: "master at the start", "replica", "Sentinel", "fixture app". */
  role: string;
  /** The image it runs; "" for a compose stack's containers (yours). */
  image: string;
}

export interface StackPlan {
  kind: string;
  /** Nodes as drill would start them; for compose, what it would look for. */
  nodes: NodePlan[];
  /** How the nodes are found (compose), and settings worth seeing: replication, passwords, config. */
  notes: string[];
  /** Who fails over, and how. */
  failover: string;
}

export interface StepPlan {
  /** steps[index] in the file. */
  index: number;
  /** When, from the end of the warm-up (t=0); null: right after the previous step. */
  atMs: number | null;
  /** What it does: "kill (SIGKILL)", "promote the most advanced replica (by GTID), catching up first". */
  action: string;
  /** Whom it hits, as far as it is known before the run. */
  target: string | null;
  /** When and how it is undone, for a fault. */
  heal: string | null;
}

export interface DrillPlan {
  dryRun: true;
  drill: { name: string; file: string; description: string; sha256: string; variables: DrillVariable[] };
  /** Which engine a run would use; never contacted by a dry run. */
  engine: string;
  stack: StackPlan;
  layers: string[];
  load: { rate: number; connections: number; timeoutMs: number; warmupMs: number; durationMs: number; writes: number; endpoints: string; probe: string };
  steps: StepPlan[];
  objectives: { name: string; bound: string }[];
  measure: { stableMs: number; bucketMs: number };
  abortIf: string[];
  schedule: string | null;
  outputs: { reportsDir: string; indexPath: string; keepStack: boolean; metricsFile: string | null; notifyUrl: string | null };
}
