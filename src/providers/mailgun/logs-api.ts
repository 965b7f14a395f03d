/**
 * `POST /v1/analytics/logs`: the account's event log, which replaces the deprecated
 * `GET /v3/:domain/events` (mailgun.js `mg.logs.list()`). The same event records, with
 * `@timestamp` (ISO 8601) in place of epoch `timestamp`, filtered by a JSON body:
 * `start`/`end` (RFC 2822, default the last day), `duration`, `events`, `filter.AND` conditions,
 * `pagination { sort, token, limit }` and `include_totals`.
 * https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Logs
 */

import type { ProviderContext } from "../shared/context.js";
import { MailgunError } from "./errors.js";
import type { MailgunEventData } from "./events.js";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const DAY_MS = 86_400_000;

/** Filter attributes, each read from an event record. */
const ATTRIBUTES: Record<string, (event: MailgunEventData) => string[]> = {
  domain: (e) => [(e.domain as { name?: string } | undefined)?.name ?? ""],
  event: (e) => [e.event],
  recipient: (e) => [e.recipient],
  "recipient-domain": (e) => [
    typeof e["recipient-domain"] === "string" ? e["recipient-domain"] : "",
  ],
  tags: (e) => (e.tags as string[] | undefined) ?? [],
  "message-id": (e) => [
    (e.message as { headers: Record<string, string> }).headers["message-id"] ?? "",
  ],
};

interface Condition {
  read: (event: MailgunEventData) => string[];
  negate: boolean;
  values: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

export function listLogs(ctx: ProviderContext, body: unknown, now = Date.now()) {
  if (!isObject(body)) throw new MailgunError(400, "the request body must be a JSON object");
  // mailgun.js sends "" for a date it was not given.
  const absent = (v: unknown) => v === undefined || v === null || v === "";
  const end = absent(body.end) ? now : parseDate(body.end, "end");
  let start = absent(body.start) ? end - DAY_MS : parseDate(body.start, "start");
  if (!absent(body.duration)) start = end - parseDuration(body.duration);
  if (start > end) throw new MailgunError(400, "'start' must be before 'end'");
  const events = body.events === undefined ? null : stringArray(body.events, "events");
  const conditions = parseFilter(body.filter);
  const pagination = isObject(body.pagination) ? body.pagination : {};
  const limit = pagination.limit === undefined ? DEFAULT_LIMIT : Number(pagination.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new MailgunError(400, `pagination.limit must be an integer from 1 to ${MAX_LIMIT}`);
  const sort = pagination.sort ?? "timestamp:desc";
  if (sort !== "timestamp:desc" && sort !== "timestamp:asc")
    throw new MailgunError(
      400,
      `pagination.sort must be "timestamp:desc" or "timestamp:asc", not ${JSON.stringify(sort)}`,
    );
  const offset =
    pagination.token === undefined || pagination.token === "" ? 0 : decodeToken(pagination.token);

  const matching = ctx
    .events()
    .map((event) => event.data as MailgunEventData)
    .filter((e) => e.timestamp * 1000 >= start && e.timestamp * 1000 <= end)
    .filter((e) => events === null || events.includes(e.event))
    .filter((e) =>
      conditions.every(
        (c) => c.read(e).some((v) => c.values.includes(v.toLowerCase())) !== c.negate,
      ),
    );
  // The log is in arrival order; reversing first keeps events of the same millisecond newest first.
  if (sort === "timestamp:desc") matching.reverse();
  matching.sort((a, b) =>
    sort === "timestamp:asc" ? a.timestamp - b.timestamp : b.timestamp - a.timestamp,
  );

  const lastPage = Math.max(0, Math.floor((matching.length - 1) / limit) * limit);
  return {
    start: rfc2822(start),
    end: rfc2822(end),
    items: matching.slice(offset, offset + limit).map(({ timestamp, ...rest }) => ({
      ...rest,
      "@timestamp": new Date(timestamp * 1000).toISOString(),
    })),
    pagination: {
      first: encodeToken(0),
      last: encodeToken(lastPage),
      ...(offset > 0 ? { previous: encodeToken(Math.max(0, offset - limit)) } : {}),
      ...(offset + limit < matching.length ? { next: encodeToken(offset + limit) } : {}),
      ...(body.include_totals === true ? { total: matching.length } : {}),
    },
    aggregates: {},
  };
}

function parseFilter(filter: unknown): Condition[] {
  if (filter === undefined || filter === null) return [];
  if (!isObject(filter) || !Array.isArray(filter.AND))
    throw new MailgunError(
      400,
      "filter must be { AND: [{ attribute, comparator, values: [{ label, value }] }] }",
    );
  return filter.AND.map((condition: unknown, i: number) => {
    if (
      !isObject(condition) ||
      typeof condition.attribute !== "string" ||
      !Array.isArray(condition.values)
    ) {
      throw new MailgunError(
        400,
        `filter.AND[${i}] must be { attribute, comparator, values: [{ label, value }] }`,
      );
    }
    const read = ATTRIBUTES[condition.attribute];
    if (!read)
      throw new MailgunError(
        400,
        `filter.AND[${i}]: unsupported attribute "${condition.attribute}" (supported: ${Object.keys(ATTRIBUTES).join(", ")})`,
      );
    if (condition.comparator !== "=" && condition.comparator !== "!=")
      throw new MailgunError(400, `filter.AND[${i}]: comparator must be "=" or "!="`);
    const values = condition.values.map((v: unknown) =>
      isObject(v) && typeof v.value === "string"
        ? v.value.replace(/^<|>$/g, "").toLowerCase()
        : null,
    );
    if (values.includes(null))
      throw new MailgunError(400, `filter.AND[${i}].values must be [{ label, value }]`);
    return { read, negate: condition.comparator === "!=", values: values as string[] };
  });
}

function parseDate(value: unknown, name: string): number {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new MailgunError(
      400,
      `'${name}' must be an RFC 2822 date, e.g. "Mon, 08 Jul 2024 00:00:00 -0000"`,
    );
  return ms;
}

function parseDuration(value: unknown): number {
  const match = typeof value === "string" ? /^(\d+)([mhd])$/.exec(value) : null;
  if (!match) throw new MailgunError(400, `'duration' must look like "1d", "2h" or "30m"`);
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: DAY_MS }[match[2] as "m" | "h" | "d"];
}

function stringArray(value: unknown, name: string): string[] {
  const isStrings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((item) => typeof item === "string");
  if (!isStrings(value)) throw new MailgunError(400, `'${name}' must be an array of strings`);
  return value;
}

/** Mailgun's own format: "Mon, 08 Jul 2024 00:00:00 -0000". */
function rfc2822(ms: number): string {
  return `${new Date(ms).toUTCString().slice(0, 25)} -0000`;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

function decodeToken(token: unknown): number {
  try {
    const { o } = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8")) as {
      o: unknown;
    };
    if (typeof o === "number" && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw new MailgunError(400, "Invalid pagination token");
}
