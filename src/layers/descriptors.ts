import { lbVipDescriptor } from './lb-vip/descriptor.js';
import { monitoringDescriptor } from './monitoring/descriptor.js';
import { backupDescriptor } from './backup/descriptor.js';
import type { LayerDescriptor, LayerDescriptors, LayerKind, LayerSpecOf } from './plugin.js';

// Every layer kind's descriptor, free of client libraries: what validation and preflight need.
export const layerDescriptors = {
  backup: backupDescriptor,
  monitoring: monitoringDescriptor,
  'lb-vip': lbVipDescriptor,
} satisfies LayerDescriptors;

export function layerDescriptorOf<K extends LayerKind>(spec: LayerSpecOf<K>): LayerDescriptor<K> {
  return layerDescriptors[spec.kind] as unknown as LayerDescriptor<K>;
}
