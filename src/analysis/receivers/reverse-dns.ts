import { isIP } from "node:net";
import { isSpecialPurposeAddress } from "../../core/special-addresses.js";
import type { DnsResolver } from "../analyze.js";
import { isNoRecord } from "../dns/dns-error.js";

export interface ReverseDns {
  /** pass: PTR name resolves back to the IP (FCrDNS); fail: no PTR or no match; unknown: not checked. */
  status: "pass" | "fail" | "unknown";
  ptr: string | null;
}

/** The IP as receivers see it: an IPv4-mapped IPv6 address is its IPv4 address. */
function plainIp(ip: string | null): string | null {
  return ip?.replace(/^::ffff:(?=\d+\.)/i, "") ?? null;
}

/** A loopback, private or otherwise non-internet address: mail from it comes from this machine or its network. */
export function isLocalAddress(rawIp: string | null): boolean {
  return rawIp !== null && isSpecialPurposeAddress(rawIp);
}

/** The reverse-mapping name of an IP (RFC 1035 §3.5, RFC 3596 §2.5). */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
  const groups = ip.split("::");
  const head = groups[0] ? groups[0].split(":") : [];
  const tail = groups.length > 1 && groups[1] ? groups[1].split(":") : [];
  const full = [...head, ...Array<string>(8 - head.length - tail.length).fill("0"), ...tail]
    .map((g) => g.padStart(4, "0"))
    .join("");
  return `${[...full].reverse().join(".")}.ip6.arpa`;
}

/**
 * Forward-confirmed reverse DNS, which Gmail and Yahoo require of every sending IP: the IP has a
 * PTR name and that name has an A/AAAA record back to the IP.
 */
export function createReverseDnsCheck(
  resolver: DnsResolver,
): (ip: string | null) => Promise<ReverseDns> {
  return async (rawIp) => {
    const ip = plainIp(rawIp);
    const family = ip ? isIP(ip) : 0;
    if (!ip || family === 0 || isLocalAddress(ip)) return { status: "unknown", ptr: null };
    try {
      const names = (await resolver(reverseName(ip), "PTR")) as string[];
      for (const name of names) {
        const forward = (await resolver(name, family === 4 ? "A" : "AAAA").catch((err: unknown) => {
          if (isNoRecord(err)) return [];
          throw err;
        })) as string[];
        // Comparing reverse names compares IPv6 addresses whatever their spelling.
        if (forward.some((addr) => isIP(addr) === family && reverseName(addr) === reverseName(ip)))
          return { status: "pass", ptr: name };
      }
      return { status: "fail", ptr: names[0] ?? null };
    } catch (err) {
      return { status: isNoRecord(err) ? "fail" : "unknown", ptr: null };
    }
  };
}
