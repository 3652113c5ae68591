/**
 * Epoch ms of an RFC 3339 UTC time as the engine prints it ("2026-12-02T11:45:01.123456789Z"), its
 * fraction kept to the ns digits given (Date.parse stops at ms). Null when it is not one.
 */
export function epochMsOfRfc3339(stamp: string): number | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(stamp);
  if (!m) return null;
  const seconds = Date.parse(`${m[1]!}Z`);
  return Number.isNaN(seconds) ? null : seconds + (m[2] ? Number(`0${m[2]}`) * 1000 : 0);
}
