// Which server answers (MariaDB or MySQL, which version), from its own VERSION() and @@version_comment.

export type Flavour = 'mariadb' | 'mysql';

export interface ServerInfo {
  flavour: Flavour;
  version: string;
  versionComment: string;
  /** [major, minor, patch] */
  v: [number, number, number];
}

export function detectServer(version: string, versionComment: string): ServerInfo {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  const v: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const flavour: Flavour = /mariadb/i.test(version) || /mariadb/i.test(versionComment) ? 'mariadb' : 'mysql';
  return { flavour, version, versionComment, v };
}

export function atLeast(v: [number, number, number], want: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (v[i]! !== want[i]!) return v[i]! > want[i]!;
  return true;
}

/** A replica's view of its replication, in flavour-neutral names. */
