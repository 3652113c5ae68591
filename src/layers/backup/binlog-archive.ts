import { exec, execChecked, sh } from '../../engine/docker-exec.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { DataAccess } from '../../stacks/stack.js';
import type { Docker } from '../../engine/docker-client.js';
import type { ArchiveSample } from '../result.js';
import { STORE_DIR } from './methods.js';

// Continuous binlog archiving into the backup store: `mariadb-binlog --read-from-remote-server --raw
// --stop-never` connects to the primary as a replica would and writes its binlog files, event by event,
// into a folder of the store named for the node (/backups/binlog/<node>/), following rotations. Checked
// every second: when the primary changed (a failover) or the archiver died, it starts again from the
// current primary's first binlog (a replica logs what it applies, so every node's binlog holds the whole
// GTID history). Each check samples the archive's lag: the primary's binlog position against the size of
// the same file in the store.

export const ARCHIVE_DIR = `${STORE_DIR}/binlog`;

/**
 * One check: $1 the primary's address, $2 its node name. Starts the archiver when it does not run for
 * that node; prints "file pos archived started". Credentials: MYSQL_PWD and DRILL_USER in the environment.
 */
function checkScript(port: number): string {
  return [
    `nc -z -w 1 "$1" ${port} || { echo "no connection to $1:${port} within 1 s" >&2; exit 1; }`,
    `D=${ARCHIVE_DIR}/$2; mkdir -p "$D"; started=0`,
    `pid=$(cat ${ARCHIVE_DIR}/pid 2>/dev/null); node=$(cat ${ARCHIVE_DIR}/node 2>/dev/null)`,
    'if [ -z "$pid" ] || [ "$node" != "$2" ] || ! kill -0 "$pid" 2>/dev/null; then',
    '  [ -n "$pid" ] && kill "$pid" 2>/dev/null',
    `  first=$(mariadb --no-defaults -h "$1" -P ${port} -u "$DRILL_USER" -N -B -e 'SHOW BINARY LOGS' | head -1 | cut -f1)`,
    '  [ -n "$first" ] || { echo "the primary lists no binary log" >&2; exit 1; }',
    // setsid + every descriptor redirected: the exec returns while the archiver keeps running.
    `  cd "$D" && setsid mariadb-binlog --no-defaults --read-from-remote-server --raw --stop-never -h "$1" -P ${port} -u "$DRILL_USER" "$first" > /dev/null 2> "$D/archiver.err" < /dev/null &`,
    `  echo $! > ${ARCHIVE_DIR}/pid; echo "$2" > ${ARCHIVE_DIR}/node; started=1`,
    'fi',
    `set -- $(mariadb --no-defaults -h "$1" -P ${port} -u "$DRILL_USER" -N -B -e 'SHOW MASTER STATUS' | cut -f1,2) "$D"`,
    'echo "$1 $2 $(stat -c %s "$3/$1" 2>/dev/null || echo -) $started"',
  ].join('\n');
}

export class BinlogArchive {
  readonly samples: ArchiveSample[] = [];
  /** The node the archive follows now (its folder holds the archive a restore replays). */
  node: string | null = null;

  constructor(
    private readonly docker: Docker,
    private readonly store: RunningContainer,
    private readonly data: Extract<DataAccess, { kind: 'mysql' }>,
  ) {}

  async check(primary: RunningContainer, atMs: number): Promise<ArchiveSample> {
    const env = { MYSQL_PWD: this.data.password, DRILL_USER: this.data.user };
    let sample: ArchiveSample;
    try {
      const out = await execChecked(this.docker, this.store.id, `binlog archive of ${primary.node}`, sh(checkScript(this.data.port), primary.ip, primary.node), { timeoutMs: 10_000, env });
      const [file, pos, archived, started] = out.stdout.trim().split('\n').at(-1)!.split(' ');
      const primaryPos = Number(pos);
      const archivedBytes = archived === '-' ? null : Number(archived);
      sample = {
        atMs,
        node: primary.node,
        file: file ?? null,
        primaryPos: Number.isFinite(primaryPos) ? primaryPos : null,
        archivedBytes,
        lagBytes: archivedBytes === null || !Number.isFinite(primaryPos) ? null : Math.max(0, primaryPos - archivedBytes),
        started: started === '1',
      };
      this.node = primary.node;
    } catch (error) {
      sample = { atMs, node: primary.node, file: null, primaryPos: null, archivedBytes: null, lagBytes: null, started: false, error: error instanceof Error ? error.message : String(error) };
    }
    this.samples.push(sample);
    return sample;
  }

  /** Stop the archiver (before a restore copies the archive, and at the end). Idempotent. */
  async stop(): Promise<void> {
    await exec(this.docker, this.store.id, sh(`pid=$(cat ${ARCHIVE_DIR}/pid 2>/dev/null); [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f ${ARCHIVE_DIR}/pid; true`), { timeoutMs: 10_000 }).catch(
      () => {},
    );
  }
}
