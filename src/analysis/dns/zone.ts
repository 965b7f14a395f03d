import { MailproofError } from "../../core/errors.js";
import { DNS_ERROR_CODES, normalizeName, type DnsErrorCode } from "./dns-error.js";

/**
 * One answer in a zone: the records Node's `dns.promises.resolve(name, rrtype)` would return
 * (TXT as arrays of strings, MX as `{ exchange, priority }`, A/AAAA/PTR/CNAME as strings), or
 * `{ error: "ETIMEOUT" }` to make that lookup fail the way a broken DNS server would.
 */
export type ZoneAnswer = unknown[] | { error: DnsErrorCode };

/** mailauth's dns-cache format: `{ "name": { "RRTYPE": answer } }`. */
export type ZoneData = Record<string, Record<string, ZoneAnswer>>;

/**
 * The run-time zone. One holder per sandbox, shared by the analysis resolver and `PUT /api/dns`,
 * so replacing it changes the verdicts of the next message analysed.
 */
export interface DnsZone {
  get(): ZoneData;
  /** Validates and installs a new zone; throws BAD_REQUEST and keeps the old one when it is invalid. */
  replace(data: unknown): ZoneData;
  isEmpty(): boolean;
}

export function createDnsZone(initial: unknown = null): DnsZone {
  let data: ZoneData;
  try {
    data = parseZone(initial ?? {});
  } catch (err) {
    throw new MailproofError("CONFIG_INVALID", `--dns-zone: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    get: () => data,
    replace(next) {
      data = parseZone(next);
      return data;
    },
    isEmpty: () => Object.keys(data).length === 0,
  };
}

/** Checks a zone's shape and normalises names (lower case, no root dot) and record types (upper case). */
export function parseZone(input: unknown): ZoneData {
  if (!isPlainObject(input)) throw invalid("the zone must be a JSON object of names");
  const zone: ZoneData = {};
  for (const [rawName, records] of Object.entries(input)) {
    const name = normalizeName(rawName);
    if (!name) throw invalid(`empty name in the zone`);
    if (!isPlainObject(records))
      throw invalid(
        `"${rawName}" must map record types to answers, e.g. { "TXT": [["v=spf1 -all"]] }`,
      );
    const entry: Record<string, ZoneAnswer> = (zone[name] ??= {});
    for (const [rawType, answer] of Object.entries(records)) {
      const rrtype = rawType.toUpperCase();
      if (!/^[A-Z0-9]+$/.test(rrtype))
        throw invalid(`"${rawType}" under "${rawName}" is not a record type`);
      entry[rrtype] = parseAnswer(answer, rawName, rrtype);
    }
  }
  return zone;
}

function parseAnswer(answer: unknown, name: string, rrtype: string): ZoneAnswer {
  if (isPlainObject(answer)) {
    const error = answer.error;
    if (typeof error === "string" && (DNS_ERROR_CODES as readonly string[]).includes(error))
      return { error: error as DnsErrorCode };
    throw invalid(
      `${rrtype} of "${name}": an error answer is { "error": ${DNS_ERROR_CODES.map((c) => `"${c}"`).join(" | ")} }`,
    );
  }
  if (!Array.isArray(answer)) throw invalid(`${rrtype} of "${name}" must be an array of records`);
  // The zone's answers are unknown[] (JSON as given), not Array.isArray's any[].
  const records: unknown[] = answer;
  if (rrtype !== "TXT") return records;
  // A TXT record is a list of character-strings (RFC 1035 §3.3.14); a bare string is accepted as one.
  return records.map((record) => {
    if (typeof record === "string") return [record];
    if (Array.isArray(record) && record.every((chunk) => typeof chunk === "string")) return record;
    throw invalid(`TXT of "${name}": each record is a string or an array of strings`);
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(message: string): MailproofError {
  return new MailproofError("BAD_REQUEST", `invalid DNS zone: ${message}`);
}
