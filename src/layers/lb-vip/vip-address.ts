import { ipv4ToNumber } from '../../util/ipv4.js';

// The VIP: the last usable address of the run network's subnet. Docker hands out addresses from the bottom
// of the range, so the top one is never a container's. Pure, unit-tested.

/** `172.23.0.0/16` → { address: '172.23.255.254', prefix: 16 }. */
export function vipOf(subnet: string): { address: string; prefix: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(subnet);
  if (!m) throw new Error(`not an IPv4 subnet: ${subnet}`);
  const prefix = Number(m[5]);
  if (prefix > 29) throw new Error(`subnet ${subnet} is too small for a VIP beside the containers`);
  const base = ipv4ToNumber(m.slice(1, 5).join('.'));
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  const last = network + size - 2; // below the broadcast address
  const address = [24, 16, 8, 0].map((shift) => Math.floor(last / 2 ** shift) % 256).join('.');
  return { address, prefix };
}
