import { isIPv4, isIPv6 } from "node:net";
import type { DnsResolver } from "../analysis/analyze.js";
import { txt, type DnsCheck } from "./dns-findings.js";

const MECHANISM =
  /^[+\-~?]?(all|include:\S+|exists:\S+|a(:[^/\s]+)?(\/\d+)?(\/\/\d+)?|mx(:[^/\s]+)?(\/\d+)?(\/\/\d+)?|ptr(:\S+)?|ip4:[^/\s]+(\/\d+)?|ip6:[^/\s]+(\/\d+)?)$/i;
const MODIFIER = /^[a-z][a-z0-9_.-]*=\S*$/i;
/** RFC 7208 §4.6.4: include, a, mx, ptr, exists and redirect each cost one DNS lookup; more than 10 is a permerror. */
const LOOKUP_TERM = /^[+\-~?]?(include:|exists:|a(:|\/|$)|mx(:|\/|$)|ptr(:|$))|^redirect=/i;

/** Syntax errors of one SPF record (RFC 7208 §4.6.1, §12). */
function spfSyntaxErrors(record: string): string[] {
  const errors: string[] = [];
  for (const term of record.trim().split(/\s+/).slice(1)) {
    if (MODIFIER.test(term) && !/^[+\-~?]/.test(term)) continue;
    if (!MECHANISM.test(term)) {
      errors.push(`"${term}" is not an SPF mechanism`);
      continue;
    }
    const ip4 = /^[+\-~?]?ip4:([^/]+)/i.exec(term)?.[1];
    if (ip4 !== undefined && !isIPv4(ip4)) errors.push(`"${term}": ${ip4} is not an IPv4 address`);
    const ip6 = /^[+\-~?]?ip6:([^/]+)/i.exec(term)?.[1];
    if (ip6 !== undefined && !isIPv6(ip6)) errors.push(`"${term}": ${ip6} is not an IPv6 address`);
  }
  return errors;
}

/** DNS lookups an SPF evaluation of `domain` costs, following include and redirect. */
async function countLookups(
  resolver: DnsResolver,
  domain: string,
  depth: number,
  trail: string[],
): Promise<number> {
  if (depth > 10) return 0;
  const record = (await txt(resolver, domain)).find((t) => /^v=spf1(\s|$)/i.test(t));
  if (!record) return 0;
  let count = 0;
  for (const term of record.split(/\s+/).slice(1)) {
    if (!LOOKUP_TERM.test(term)) continue;
    count++;
    const target = /^[+\-~?]?include:(\S+)|^redirect=(\S+)/i.exec(term);
    const next = target?.[1] ?? target?.[2];
    if (next && !trail.includes(next))
      count += await countLookups(resolver, next, depth + 1, [...trail, next]);
  }
  return count;
}

/** The sender domain's SPF record: present, single, well-formed, within 10 lookups, not `+all`. */
export async function checkSpf(
  resolver: DnsResolver,
  domain: string,
): Promise<DnsCheck & { record: string | null }> {
  const records = (await txt(resolver, domain)).filter((t) => /^v=spf1(\s|$)/i.test(t));
  const evidence = [`SPF ${domain}: ${records.join(" | ") || "none"}`];
  if (records.length === 0) {
    return {
      record: null,
      evidence,
      findings: [
        {
          code: "dns.spf-missing",
          severity: "fail",
          text: `${domain} has no SPF record`,
          next: `publish a TXT record at ${domain}: "v=spf1 include:<your provider's SPF domain> -all"`,
        },
      ],
    };
  }
  if (records.length > 1) {
    return {
      record: null,
      evidence,
      findings: [
        {
          code: "dns.spf-multiple",
          severity: "fail",
          text: `${domain} has ${records.length} SPF records: receivers treat that as a permanent error (RFC 7208 §4.5)`,
          next: `merge them into one TXT record at ${domain}`,
        },
      ],
    };
  }
  const record = records[0];
  const errors = spfSyntaxErrors(record);
  if (errors.length > 0) {
    return {
      record,
      evidence,
      findings: [
        {
          code: "dns.spf-syntax",
          severity: "fail",
          text: `the SPF record of ${domain} is invalid: ${errors.join("; ")} (a permerror: receivers ignore the whole record)`,
          next: `fix the record at ${domain} (RFC 7208 §5)`,
        },
      ],
    };
  }
  const findings: DnsCheck["findings"] = [];
  if (/(^|\s)\+?all(\s|$)/i.test(record)) {
    findings.push({
      code: "dns.spf-pass-all",
      severity: "fail",
      text: `the SPF record of ${domain} ends in "+all": it authorises every server on the internet to send as ${domain}`,
      next: `end the record with "-all" (or "~all") after your real senders`,
    });
  }
  const lookups = await countLookups(resolver, domain, 0, [domain]);
  evidence.push(`SPF DNS lookups: ${lookups} (limit 10)`);
  if (lookups > 10) {
    findings.push({
      code: "dns.spf-too-many-lookups",
      severity: "fail",
      text: `the SPF record of ${domain} needs ${lookups} DNS lookups, over the limit of 10: receivers answer permerror (RFC 7208 §4.6.4)`,
      next: "remove includes you no longer send through, or replace them with ip4:/ip6: ranges",
    });
  }
  return { record, evidence, findings };
}
