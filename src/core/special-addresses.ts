import { BlockList, isIP } from "node:net";

/**
 * Special-purpose address ranges (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890):
 * loopback, private (RFC 1918, RFC 4193), link-local, CGNAT (RFC 6598), benchmarking, multicast,
 * reserved. Nothing outside the sender's own network reaches, or is reached from, these.
 * Built once: a BlockList costs far more to build than to query.
 */
const SPECIAL_RANGES = (() => {
  const list = new BlockList();
  const v4: Array<[string, number]> = [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ];
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, "ipv4");
  const v6: Array<[string, number]> = [
    ["::", 128],
    ["::1", 128],
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
  ];
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, "ipv6");
  return list;
})();

/**
 * True for an IP literal (brackets allowed) in a special-purpose range: loopback, private,
 * link-local and the rest. False for public addresses and for anything that is not an IP.
 */
export function isSpecialPurposeAddress(ip: string): boolean {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 4) return SPECIAL_RANGES.check(bare, "ipv4");
  if (family !== 6) return false;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) reaches the embedded IPv4 address.
  // WHATWG URL serialises it in hex (::ffff:7f00:1).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return SPECIAL_RANGES.check(mapped[1], "ipv4");
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return SPECIAL_RANGES.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, "ipv4");
  }
  return SPECIAL_RANGES.check(bare, "ipv6");
}
