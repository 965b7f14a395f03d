import type { DnsResolver } from "../analyze.js";
import { dnsError, normalizeName } from "./dns-error.js";
import type { DnsZone } from "./zone.js";

/**
 * Answers from the run-time zone, as mailauth's `--dns-cache` does: an unknown name is
 * ENOTFOUND (NXDOMAIN), a known name without that record type is ENODATA.
 */
export function createZoneResolver(zone: DnsZone): DnsResolver {
  return async (name, rrtype) => {
    const type = rrtype.toUpperCase();
    const records = zone.get()[normalizeName(name)];
    if (!records) throw dnsError("ENOTFOUND", name, type);
    const answer = records[type];
    if (!answer) throw dnsError("ENODATA", name, type);
    if (!Array.isArray(answer)) throw dnsError(answer.error, name, type);
    return [...answer];
  };
}
