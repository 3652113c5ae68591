import { InfraError } from '../../util/errors.js';
import { mariadbDialect } from './dialect-mariadb.js';
import { mysqlDialect } from './dialect-mysql.js';
import type { Dialect } from './dialect-types.js';
import { atLeast, type ServerInfo } from './server-info.js';

// The dialect of the server that answers: dialect-types.ts says where MariaDB and MySQL differ,
// dialect-mariadb.ts and dialect-mysql.ts say it in each one's SQL.

export { detectServer, type Flavour, type ServerInfo } from './server-info.js';
export type { Dialect, ReplicaStatus, SourceOptions } from './dialect-types.js';

export function dialectFor(info: ServerInfo, domainId = 0): Dialect {
  if (info.flavour === 'mariadb') {
    if (!atLeast(info.v, [10, 3, 3])) throw new InfraError(`MariaDB ${info.version} is too old: drill needs 10.3.3+ (semi-sync built in, MASTER_DELAY, MASTER_GTID_WAIT)`);
    return mariadbDialect(info, domainId);
  }
  if (!atLeast(info.v, [8, 0, 23])) throw new InfraError(`MySQL ${info.version} is too old: drill needs 8.0.23+ (CHANGE REPLICATION SOURCE, SHOW REPLICA STATUS)`);
  return mysqlDialect(info);
}
