import type { DnsResolver } from "../analysis/analyze.js";
import { isSpecialPurposeAddress } from "../core/special-addresses.js";

/** One problem a DNS check found; the DNS stage reports the worst. */
export interface DnsFinding {
  code: string;
  severity: "fail" | "warn" | "info";
  text: string;
  next?: string;
}

export interface DnsCheck {
  evidence: string[];
  findings: DnsFinding[];
}

/** TXT records at a name, each joined from its strings (RFC 7208 §3.3); none for NXDOMAIN/NODATA. */
export async function txt(resolver: DnsResolver, name: string): Promise<string[]> {
  try {
    const records = (await resolver(name, "TXT")) as Array<string[] | string>;
    return records.map((r) => (Array.isArray(r) ? r.join("") : r));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return [];
    throw err;
  }
}

/** Loopback, private, link-local and other special-purpose addresses: never an outbound IP receivers see. */
export const isLocalAddress = isSpecialPurposeAddress;
