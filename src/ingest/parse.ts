import { Readable } from "node:stream";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import libmime from "libmime";
import type { Address, AttachmentInfo, Envelope, Header, Message } from "../core/types.js";
import { FIELD_BREAK } from "../core/headers.js";

/**
 * How long the MIME parser may take before the message is kept with its headers only. mailparser
 * bounds nesting and header size itself; this bounds everything else a crafted message might do.
 */
const PARSE_BUDGET_MS = 20_000;
/** The parser is fed in slices, so a parse past its budget stops between two of them. */
const FEED_CHUNK = 64 * 1024;

/** The parsed fields of a message, before it has an id, a source or an analysis. */
export type ParsedFields = Pick<
  Message,
  | "messageId"
  | "date"
  | "subject"
  | "from"
  | "to"
  | "cc"
  | "bcc"
  | "replyTo"
  | "headers"
  | "text"
  | "html"
  | "attachments"
  | "parseError"
> & {
  attachmentContents: Buffer[];
};

/**
 * Parses raw RFC 5322 bytes. Never throws: a message the parser chokes on is still captured,
 * with its header fields and the failure in `parseError` (the MIME analyser reports it).
 */
export async function parseMessage(
  raw: Buffer,
  envelope: Envelope,
  budgetMs = PARSE_BUDGET_MS,
): Promise<ParsedFields> {
  let parsed: ParsedMail;
  try {
    parsed = await parseWithin(raw, budgetMs);
  } catch (err) {
    return { ...emptyFields(), headers: headersFromRaw(raw), parseError: (err as Error).message };
  }
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  const headerBcc = addresses(parsed.bcc);
  const attachments = parsed.attachments.map((a, index): AttachmentInfo => ({
    id: String(index + 1),
    filename: a.filename ?? null,
    contentType: a.contentType || "application/octet-stream",
    size: a.size ?? a.content.length,
    contentId: a.contentId ? a.contentId.replace(/^<|>$/g, "") : null,
    inline: a.contentDisposition === "inline" || Boolean(a.related),
  }));
  return {
    messageId: parsed.messageId ? parsed.messageId.replace(/^<|>$/g, "") : null,
    date:
      parsed.date && !Number.isNaN(parsed.date.getTime()) && parsed.headers.has("date")
        ? parsed.date.toISOString()
        : null,
    subject: parsed.subject ?? null,
    from: addresses(parsed.from)[0] ?? null,
    to,
    cc,
    bcc: [...headerBcc, ...envelopeOnlyRecipients(envelope, [...to, ...cc, ...headerBcc])],
    replyTo: addresses(parsed.replyTo),
    headers: parsed.headerLines.map(decodeHeaderLine),
    text: parsed.text ?? null,
    html: typeof parsed.html === "string" ? parsed.html : null,
    attachments,
    attachmentContents: parsed.attachments.map((a) => a.content),
    parseError: null,
  };
}

/** mailparser on the raw bytes, abandoned (its input cut) once `budgetMs` has passed. */
function parseWithin(raw: Buffer, budgetMs: number): Promise<ParsedMail> {
  function* slices() {
    for (let at = 0; at < raw.length; at += FEED_CHUNK) yield raw.subarray(at, at + FEED_CHUNK);
  }
  // A message of one slice has nothing to cut between slices: it is handed over whole, without
  // a stream around it.
  const input = raw.length <= FEED_CHUNK ? null : Readable.from(slices(), { objectMode: false });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      input?.destroy();
      reject(new Error(`gave up after ${budgetMs} ms`));
    }, budgetMs);
  });
  const parsing = simpleParser(input ?? raw, {
    // Keep bodies as sent: the checks look at what the recipient gets, not at a rewrite.
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    keepCidLinks: true,
  });
  // Once the budget is spent the parse's own outcome no longer matters.
  parsing.catch(() => undefined);
  return Promise.race([parsing, expired]).finally(() => clearTimeout(timer));
}

function emptyFields(): ParsedFields {
  return {
    messageId: null,
    date: null,
    subject: null,
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    headers: [],
    text: null,
    html: null,
    attachments: [],
    attachmentContents: [],
    parseError: null,
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  if (!value) return [];
  const out: Address[] = [];
  const visit = (entries: AddressObject["value"]) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else if (entry.address) out.push({ name: entry.name || null, address: entry.address });
    }
  };
  for (const object of Array.isArray(value) ? value : [value]) visit(object.value);
  return out;
}

/** Bcc recipients never appear in headers (RFC 5322 §3.6.3); the SMTP envelope is the only record of them. */
function envelopeOnlyRecipients(envelope: Envelope, listed: Address[]): Address[] {
  const seen = new Set(listed.map((a) => a.address.toLowerCase()));
  return envelope.rcptTo
    .filter((rcpt) => !seen.has(rcpt.toLowerCase()))
    .map((address) => ({ name: null, address }));
}

function decodeHeaderLine(entry: { key: string; line: string }): Header {
  const colon = entry.line.indexOf(":");
  const name = colon >= 0 ? entry.line.slice(0, colon).trim() : entry.line;
  const folded = colon >= 0 ? entry.line.slice(colon + 1) : "";
  const value = folded.replace(/\r?\n[ \t]+/g, " ").trim();
  try {
    return { name, value: libmime.decodeWords(value) };
  } catch {
    // An undecodable encoded-word is shown as sent rather than lost.
    return { name, value };
  }
}

/** Header lines read without a MIME parser, for messages the parser rejected. */
function headersFromRaw(raw: Buffer): Header[] {
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text;
  return block
    .split(FIELD_BREAK)
    .filter((line) => line.includes(":"))
    .map((line) => decodeHeaderLine({ key: "", line }));
}
