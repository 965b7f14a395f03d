/**
 * DNS failures as Node's resolver reports them: an Error with a `code`. mailauth maps the codes
 * to RFC 8601 results — ENOTFOUND/ENODATA mean "no record" (none, or a void lookup for SPF,
 * RFC 7208 §4.6.4); ETIMEOUT, ESERVFAIL and EREFUSED mean "try later" (temperror).
 */
export const DNS_ERROR_CODES = [
  "ENOTFOUND",
  "ENODATA",
  "ETIMEOUT",
  "ESERVFAIL",
  "EREFUSED",
] as const;

export type DnsErrorCode = (typeof DNS_ERROR_CODES)[number];

type DnsError = Error & { code: DnsErrorCode; hostname: string };

export function dnsError(code: DnsErrorCode, name: string, rrtype: string): DnsError {
  const err = new Error(`query${rrtype} ${code} ${name}`) as DnsError;
  err.code = code;
  err.hostname = name;
  return err;
}

export function isNoRecord(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ENOTFOUND" || code === "ENODATA";
}

/** Lower case without the root dot: DNS names compare case-insensitively (RFC 4343). */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}
