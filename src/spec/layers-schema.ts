import { z } from 'zod';
import { duration } from './duration.js';

// `layers:` parts a drill adds beside or on top of its stack, whatever the stack's kind: each is its own
// plug-in (src/layers/<kind>/) with its own containers, events and checks; the stack knows nothing of
// them. docs/architecture.md ("Layers") says how the seam works, docs/backup.md what the backup layer does.

const backupLayer = z
  .strictObject({
    kind: z.literal('backup').describe('A backup store on a second site (its own container and network) taking backups of the current primary under the load'),
    method: z
      .enum(['rdb', 'dump'])
      .optional()
      .describe('rdb: a Redis RDB snapshot fetched over replication (redis-cli --rdb); dump: a logical dump (mariadb-dump --single-transaction). Default: the one for the stack'),
    every: duration({ minMs: 500, maxMs: 3_600_000 }).describe('Time between the start of one backup and the next, from the moment the stack is up'),
    keep: z.int().min(1).max(1000).default(3).describe('Retention: how many backups the store keeps; older ones are deleted'),
    rpo: duration().optional().describe('Max data-loss window if the data were restored from the newest backup taken before the first fault (checked by really restoring it)'),
  })
  .transform((b) => ({ kind: b.kind, method: b.method, everyMs: b.every, keep: b.keep, rpoMs: b.rpo }));

export const layerSchema = z.discriminatedUnion('kind', [backupLayer]).describe('A layer: its own containers, events and checks, beside any stack');
