import type { LayerPlugin } from '../plugin.js';
import { backupDescriptor } from './descriptor.js';

/** A backup store on a second site, backups under the load, a real restore after it (docs/backup.md). */
export const backup: LayerPlugin<'backup'> = {
  ...backupDescriptor,
  start: async (ctx, spec, stack) => (await import('./backup-layer.js')).startBackupLayer(ctx, spec, stack),
};
