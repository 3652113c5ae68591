// Compiled with the tests (tsconfig.test.json), never run: each @ts-expect-error below must be an error,
// or the type check fails. It proves that a kind without a handler (or a handler without a kind) does
// not compile, for every registry of plug-ins and for the runner's step handlers and the chart's markers.
import type { FaultPlugins } from '../../src/faults/plugin.js';
import type { LayerPlugins } from '../../src/layers/plugin.js';
import { layerPlugins } from '../../src/layers/registry.js';
import { faultPlugins } from '../../src/faults/registry.js';
import type { MarkerKind } from '../../src/measure/markers.js';
import type { OutputWriters } from '../../src/outputs/plugin.js';
import { outputWriters } from '../../src/outputs/registry.js';
import type { StepHandlers } from '../../src/run/phases/steps.js';
import { stepHandlers } from '../../src/run/phases/steps.js';
import type { RunbookActions } from '../../src/runbook/plugin.js';
import { runbookActions } from '../../src/runbook/registry.js';
import type { StackPlugins } from '../../src/stacks/plugin.js';
import { stackPlugins } from '../../src/stacks/registry.js';
import { assertNever } from '../../src/util/assert-never.js';

const { latency: _latency, ...faultsWithoutLatency } = faultPlugins;
// @ts-expect-error a fault kind of the schema without a plugin
export const missingFault: FaultPlugins = faultsWithoutLatency;
// @ts-expect-error a fault plugin for a kind the schema does not have
export const extraFault = { ...faultPlugins, explode: faultPlugins.kill } satisfies FaultPlugins;

const { compose: _compose, ...stacksWithoutCompose } = stackPlugins;
// @ts-expect-error a stack kind of the schema without a plugin
export const missingStack: StackPlugins = stacksWithoutCompose;

const { backup: _backup, ...layersWithoutBackup } = layerPlugins;
// @ts-expect-error a layer kind of the schema without a plugin
export const missingLayer: LayerPlugins = layersWithoutBackup;
// @ts-expect-error a layer plugin for a kind the schema does not have
export const extraLayer = { ...layerPlugins, monitoring: layerPlugins.backup } satisfies LayerPlugins;

const { repoint: _repoint, ...actionsWithoutRepoint } = runbookActions;
// @ts-expect-error a runbook action of the schema without a plugin
export const missingAction: RunbookActions = actionsWithoutRepoint;

const { junit: _junit, ...outputsWithoutJunit } = outputWriters;
// @ts-expect-error an output format without a writer
export const missingOutput: OutputWriters = outputsWithoutJunit;

const { waitFor: _waitFor, ...stepsWithoutWaitFor } = stepHandlers;
// @ts-expect-error a step kind of the schema without a handler
export const missingStep: StepHandlers = stepsWithoutWaitFor;

/** A switch over the markers that forgets one reaches assertNever with a marker still possible: no compile. */
export function markerWithoutCase(kind: MarkerKind): void {
  if (kind === 'heal') return;
  // @ts-expect-error 'fault', 'recovered', ... are still possible here
  assertNever(kind);
}
