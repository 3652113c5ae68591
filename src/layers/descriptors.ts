import { lbVipDescriptor } from './lb-vip/descriptor.js';
import { monitoringDescriptor } from './monitoring/descriptor.js';
import { backupDescriptor } from './backup/descriptor.js';
import type { LayerDescriptor, LayerDescriptors, LayerFloorInput, LayerKind, LayerSpecOf } from './plugin.js';
import type { LayerResult } from './result.js';
import type { RecoveryFloor } from '../measure/recovery-floor.js';

// Every layer kind's descriptor, free of client libraries: what validation and preflight need.
export const layerDescriptors = {
  backup: backupDescriptor,
  monitoring: monitoringDescriptor,
  'lb-vip': lbVipDescriptor,
} satisfies LayerDescriptors;

export function layerDescriptorOf<K extends LayerKind>(spec: LayerSpecOf<K>): LayerDescriptor<K> {
  return layerDescriptors[spec.kind] as unknown as LayerDescriptor<K>;
}

/** The recovery floor a layer's own record gives for this run, when its kind has one. */
export function layerRecoveryFloor(result: LayerResult, run: Omit<LayerFloorInput<LayerKind>, 'result'>): RecoveryFloor | null {
  const descriptor = layerDescriptors[result.kind] as unknown as LayerDescriptor<LayerKind>;
  return descriptor.recoveryFloor?.({ ...run, result }) ?? null;
}
