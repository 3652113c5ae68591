import { lbVip } from './lb-vip/index.js';
import { monitoring } from './monitoring/index.js';
import { backup } from './backup/index.js';
import type { LayerKind, LayerPlugin, LayerPlugins, LayerSpecOf } from './plugin.js';

// Every layer kind of the schema and its plugin; the mapped type makes a kind without a plugin a compile
// error. Each plugin loads its implementation only when it starts.
export const layerPlugins = {
  backup,
  monitoring,
  'lb-vip': lbVip,
} satisfies LayerPlugins;

export function layerPluginOf<K extends LayerKind>(spec: LayerSpecOf<K>, plugins: LayerPlugins = layerPlugins): LayerPlugin<K> {
  return plugins[spec.kind];
}
