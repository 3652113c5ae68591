// The stack's record of which master replaced which: what `rejoin node: former-primary` brings back.
// Fed by Sentinel's own +switch-master (a failover Sentinel ran by itself) and by drill's switchover;
// every Sentinel announces the same switch, so a change already recorded is not recorded twice.

export interface PrimaryChange {
  /** Container names. */
  from: string;
  to: string;
}

export class PrimaryHistory {
  private readonly changes: PrimaryChange[] = [];

  record(change: PrimaryChange): void {
    const last = this.changes.at(-1);
    if (change.from === change.to || (last?.from === change.from && last.to === change.to)) return;
    this.changes.push(change);
  }

  /** The primary the last change replaced; null before any change. */
  formerPrimary(): string | null {
    return this.changes.at(-1)?.from ?? null;
  }

  all(): readonly PrimaryChange[] {
    return this.changes;
  }
}

/**
 * The old and new master addresses of a Sentinel event as drill puts it on the timeline
 * (`sentinel-1: +switch-master <name> <old-ip> <old-port> <new-ip> <new-port>`); null for anything else.
 */
export function parseSwitchMaster(eventMessage: string, masterName: string): { fromIp: string; toIp: string } | null {
  const m = /(?:^|\s)\+switch-master\s+(\S+)\s+(\S+)\s+\d+\s+(\S+)\s+\d+/.exec(eventMessage);
  return m && m[1] === masterName ? { fromIp: m[2]!, toIp: m[3]! } : null;
}
