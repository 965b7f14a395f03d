/**
 * `GET /v3/:domain/events`: the domain's event records, newest first unless `ascending=yes`,
 * filtered by `event`, `recipient`, `message-id`, `tags`, `begin`/`end`, at most `limit` (300)
 * per page, with `paging` links the SDK follows (`/v3/:domain/events/<page token>`).
 * https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/events
 */

import type { ProviderContext } from "../shared/context.js";
import { MailgunError } from "./errors.js";
import type { MailgunEventData } from "./events.js";

const MAX_LIMIT = 300;

interface PageToken {
  /** Offset into the filtered list. */
  o: number;
  q: Record<string, string>;
}

export function listEvents(ctx: ProviderContext, domain: string, url: URL, page: string | null) {
  let query: Record<string, string> = Object.fromEntries(url.searchParams);
  let offset = 0;
  if (page) {
    const token = decodeToken(page);
    query = { ...token.q, ...query };
    offset = token.o;
  }
  const limit = query.limit === undefined ? MAX_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new MailgunError(400, `limit must be an integer from 1 to ${MAX_LIMIT}`);
  const begin = parseTime(query.begin, "begin");
  const end = parseTime(query.end, "end");
  const ascending =
    query.ascending === "yes" || (query.ascending === undefined && begin !== null && end === null);
  const messageId = query["message-id"]?.replace(/^<|>$/g, "");

  const items = ctx
    .events()
    .map((event) => event.data as MailgunEventData)
    .filter((data) => (data.domain as { name?: string } | undefined)?.name === domain)
    .filter(
      (data) => query.event === undefined || query.event.split(/\s+OR\s+/).includes(data.event),
    )
    .filter(
      (data) =>
        query.recipient === undefined ||
        data.recipient.toLowerCase() === query.recipient.toLowerCase(),
    )
    .filter(
      (data) =>
        messageId === undefined ||
        ((data.message as { headers: Record<string, string> }).headers["message-id"] ?? "") ===
          messageId,
    )
    .filter((data) => query.tags === undefined || (data.tags as string[]).includes(query.tags))
    .filter(
      (data) =>
        (begin === null || data.timestamp >= begin) && (end === null || data.timestamp <= end),
    )
    .sort((a, b) => (ascending ? a.timestamp - b.timestamp : b.timestamp - a.timestamp));

  const base = `${url.origin}${url.pathname.replace(/\/events(\/[^/]*)?$/, "/events")}`;
  // Page links carry the filters; the limit travels as its own parameter.
  const filters = { ...query };
  delete filters.limit;
  const link = (o: number) =>
    `${base}/${encodeToken({ o: Math.max(0, o), q: filters })}?limit=${limit}`;
  return {
    items: items.slice(offset, offset + limit),
    paging: {
      first: link(0),
      last: link(Math.max(0, items.length - limit)),
      next: link(offset + limit),
      previous: link(offset - limit),
    },
  };
}

function parseTime(value: string | undefined, name: string): number | null {
  if (value === undefined || value === "") return null;
  // Mailgun takes RFC 2822 dates or epoch seconds.
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(seconds))
    throw new MailgunError(400, `'${name}' is not a valid date: ${value}`);
  return seconds;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

function decodeToken(page: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(page, "base64url").toString("utf8")) as PageToken;
    if (
      typeof token.o === "number" &&
      token.o >= 0 &&
      typeof token.q === "object" &&
      token.q !== null
    )
      return token;
  } catch {
    // fall through
  }
  throw new MailgunError(400, "Invalid page token");
}
