import type { Message } from "../core/types.js";
import { prettyHtml } from "./pretty-html.js";

export type NormalizableMessage = Pick<
  Message,
  "headers" | "text" | "html" | "attachments" | "analysis"
>;

/**
 * The headers a template decides, in this order. Received, DKIM-Signature and the like belong to
 * the transport; Date and Message-ID are shown as placeholders, so their presence still shows.
 */
const HEADERS = [
  "Date",
  "From",
  "Sender",
  "To",
  "Cc",
  "Reply-To",
  "Subject",
  "Message-ID",
  "In-Reply-To",
  "References",
  "List-Id",
  "List-Unsubscribe",
  "List-Unsubscribe-Post",
  "Auto-Submitted",
  "Precedence",
  "Content-Type",
];
const MESSAGE_ID_HEADERS = new Set(["message-id", "in-reply-to", "references"]);

/** Query parameters that carry per-send values whatever they look like. */
const SECRET_PARAMS = new Set([
  "token",
  "code",
  "key",
  "sig",
  "signature",
  "hash",
  "h",
  "t",
  "nonce",
  "otp",
  "state",
  "session",
  "sid",
  "expires",
  "exp",
  "ts",
  "timestamp",
  "id",
  "uid",
  "userid",
  "user_id",
]);

const MONTH =
  "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
const DATES = [
  // ISO 8601 / RFC 3339 date, with or without a time.
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g,
  // RFC 5322 §3.3 date-time: "Thu, 3 Dec 2026 13:00:10 +0000".
  new RegExp(
    `\\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\\s+)?\\d{1,2}\\s+${MONTH}\\s+\\d{4}(?:\\s+\\d{2}:\\d{2}(?::\\d{2})?(?:\\s*(?:[+-]\\d{4}|[A-Z]{2,4}))?)?`,
    "g",
  ),
  // "December 3, 2026", "Dec 3rd 2026".
  new RegExp(`\\b${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`, "g"),
];
/** Clock times ("13:05", "1:05:09 PM") change with every send. */
const TIME = /\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?(?:UTC|GMT|Z))?(?![\d:])/g;
/** `mail.address()` makes `prefix-<base36 time>-<10 hex>@domain` (src/client/mailproof.ts). */
const UNIQUE_ADDRESS = /\b([a-z0-9._+-]+?)-[0-9a-z]{6,10}-[0-9a-f]{10}(@|%40)/gi;
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const PLACEHOLDER = /^\[[a-z-]+(?:-\d+)?\]$/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A value that differs per send: an id, a hash, a signed token, a timestamp. */
function looksGenerated(raw: string): boolean {
  const value = decode(raw);
  if (value.length < 5 || PLACEHOLDER.test(value)) return false;
  if (/^\d{5,}$/.test(value)) return true;
  if (/^[0-9a-f]{12,}$/i.test(value)) return true;
  if (/^[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}$/.test(value)) return true;
  if (!/^[\w\-.~+/=]+$/.test(value)) return false;
  // Short: letters and digits mixed. Long (random base64 may lack digits): digits or mixed case.
  if (value.length >= 16 && /[a-z]/.test(value) && /[A-Z]/.test(value)) return true;
  return value.length >= 8 && /\d/.test(value) && /[a-z]/i.test(value);
}

/** Replaces dynamic values with placeholders numbered by first appearance, so equal values share one. */
function createScrubber(codes: string[]) {
  const tokens = new Map<string, string>();
  const token = (value: string) => {
    let name = tokens.get(value);
    if (!name) tokens.set(value, (name = `[token-${tokens.size + 1}]`));
    return name;
  };
  const codePatterns = codes
    .map((code, i) => ({
      pattern: new RegExp(`(?<![0-9A-Za-z])${escapeRegExp(code)}(?![0-9A-Za-z])`, "g"),
      placeholder: `[code-${i + 1}]`,
    }))
    .sort((a, b) => b.pattern.source.length - a.pattern.source.length);

  const url = (link: string): string => {
    const trailing = /[.,;:!?)\]]+$/.exec(link)?.[0] ?? "";
    const bare = link.slice(0, link.length - trailing.length);
    const [, origin, path, query, fragment] =
      /^(https?:\/\/[^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(bare) ?? [];
    if (origin === undefined) return link;
    const segments = path
      .split("/")
      .map((segment) => (looksGenerated(segment) ? token(segment) : segment));
    const params = (text: string) =>
      text
        .split("&")
        .map((pair) => {
          const eq = pair.indexOf("=");
          if (eq < 0) return looksGenerated(pair) ? token(pair) : pair;
          const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
          const secret =
            value !== "" &&
            !PLACEHOLDER.test(value) &&
            (SECRET_PARAMS.has(decode(name).toLowerCase()) || looksGenerated(value));
          return secret ? `${name}=${token(value)}` : pair;
        })
        .join("&");
    const hash = fragment === undefined ? "" : `#${params(fragment.slice(1))}`;
    return `${origin}${segments.join("/")}${query === undefined ? "" : `?${params(query.slice(1))}`}${hash}${trailing}`;
  };

  return (text: string): string => {
    let out = text;
    for (const { pattern, placeholder } of codePatterns) out = out.replace(pattern, placeholder);
    out = out.replace(UNIQUE_ADDRESS, "$1-[unique]$2");
    out = out.replace(URL_PATTERN, url);
    for (const pattern of DATES) out = out.replace(pattern, "[date]");
    out = out.replace(TIME, "[time]");
    return out.replace(UUID, (uuid) => token(uuid));
  };
}

function headerLines(message: NormalizableMessage, scrub: (text: string) => string): string[] {
  const lines: string[] = [];
  for (const wanted of HEADERS) {
    const lower = wanted.toLowerCase();
    for (const header of message.headers) {
      if (header.name.toLowerCase() !== lower) continue;
      let value = header.value.replace(/\s+/g, " ").trim();
      if (MESSAGE_ID_HEADERS.has(lower)) value = value.replace(/<[^<>\s]*>/g, "[message-id]");
      else if (lower === "date") value = "[date]";
      else if (lower === "content-type")
        value = value.replace(/boundary=(?:"[^"]*"|[^;\s]+)/i, 'boundary="[boundary]"');
      lines.push(`${wanted}: ${lower === "content-type" ? value : scrub(value)}`);
    }
  }
  return lines;
}

function textBody(text: string, scrub: (text: string) => string): string {
  return scrub(text.replace(/\r\n?/g, "\n"))
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/^\n+|\n+$/g, "");
}

/**
 * The message as a readable, stable document: the headers a template decides, the text body,
 * the HTML pretty-printed, links, codes and attachments, with every per-send value (tokens and
 * ids in links, one-time codes, dates and times, Message-IDs, MIME boundaries, `mail.address()`
 * addresses) replaced by a placeholder. Two sends of one template read the same.
 */
export function normalizeEmail(message: NormalizableMessage): string {
  const { codes, links } = message.analysis;
  const scrub = createScrubber(codes);
  const sections: string[] = [];
  const section = (title: string | null, body: string) => {
    if (body) sections.push(title === null ? body : `--- ${title} ---\n${body}`);
  };
  section(null, headerLines(message, scrub).join("\n"));
  section("text", message.text ? textBody(message.text, scrub) : "");
  section("html", message.html ? prettyHtml(message.html, scrub) : "");
  section(
    "links",
    links
      .map(
        (l) =>
          `${l.kind.padEnd(11)} ${scrub(l.url)}${l.text ? `  "${scrub(l.text.replace(/\s+/g, " ").trim())}"` : ""}`,
      )
      .join("\n"),
  );
  section("codes", codes.map((_, i) => `[code-${i + 1}]`).join("\n"));
  section(
    "attachments",
    message.attachments
      .map(
        (a) => `${scrub(a.filename ?? "(unnamed)")}  ${a.contentType}${a.inline ? "  inline" : ""}`,
      )
      .join("\n"),
  );
  return `${sections.join("\n\n")}\n`;
}
