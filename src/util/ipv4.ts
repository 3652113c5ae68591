/** An IPv4 address (dotted quad) as its 32-bit number: for ordering addresses and subnet arithmetic. */
export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
