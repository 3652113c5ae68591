// What a layer adds to result.json (`layers`): its containers, its own records and its checks. A
// discriminated union over `kind`, so the reports switch on it exhaustively.

/** One thing a layer checked. ok false fails the drill (exit 1) like a missed objective. */
export interface LayerCheck {
  /** Stable name, for JUnit and history: never includes a threshold. */
  name: string;
  ok: boolean;
  /** The declared bound, in words, when the check has one. */
  declared?: string;
  /** The measured figure, in words. */
  measured?: string;
  /** What was checked and what was found. */
  detail: string;
}

export interface BackupRecord {
  seq: number;
  /** The node it was taken from (the primary at that moment). */
  node: string;
  /** Run-clock ms: the backup command was started / returned. The snapshot point lies between. */
  startedAtMs: number;
  endedAtMs: number;
  ok: boolean;
  bytes: number | null;
  file: string | null;
  /** Run-clock ms when retention deleted it from the store. */
  deletedAtMs?: number;
  error?: string;
}

export interface RestoreRecord {
  seq: number;
  file: string;
  /** Wall time from starting the scratch server on the backup to the data being readable, in ms. */
  restoreMs: number;
  /** Write ids the restored backup holds; null when the restore failed. */
  writes: number | null;
  error?: string;
}

export interface BackupLayerResult {
  kind: 'backup';
  method: 'rdb' | 'dump';
  everyMs: number;
  keep: number;
  containers: { name: string; role: string; image: string }[];
  backups: BackupRecord[];
  restore: RestoreRecord | null;
  /** Acknowledged writes (before the first fault) a restore of that backup would lose, and the window they span. */
  lostIfRestored: number | null;
  restoreRpoMs: number | null;
  checks: LayerCheck[];
}

export type LayerResult = BackupLayerResult;
