import { MailproofError } from "../core/errors.js";
import type { Message } from "../core/types.js";
import {
  bracketedMessageId,
  encodeHeaderValue,
  lines,
  newBoundary,
  newMessageId,
  ORIGINAL_HEADER,
  quote,
  referencesFor,
  rfc5322Date,
  type BuiltMessage,
} from "./mime.js";

interface ReplyInput {
  /** @default the original's first recipient */
  from?: string;
  text: string;
  html?: string;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/** A request body as a reply: `{ from?, text, html? }`, or a 400 saying what is wrong. */
export function replyInput(body: unknown): ReplyInput {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== "object" || Array.isArray(b))
    throw new MailproofError(
      "BAD_REQUEST",
      'expected { "text": "…", "from"?: "address", "html"?: "…" }',
    );
  if (typeof b.text !== "string" || b.text.trim() === "")
    throw new MailproofError("BAD_REQUEST", '"text" must be the reply\'s text');
  if (b.from !== undefined && (typeof b.from !== "string" || !ADDRESS.test(b.from.trim())))
    throw new MailproofError("BAD_REQUEST", '"from" must be an email address');
  if (b.html !== undefined && typeof b.html !== "string")
    throw new MailproofError("BAD_REQUEST", '"html" must be a string');
  return { text: b.text, from: b.from?.trim(), html: b.html };
}

/**
 * A person's reply to a captured message, as a mail client writes it: to the Reply-To (else
 * From) address, `Re:` subject, In-Reply-To and References (RFC 5322 §3.6.4), and the original
 * text quoted under an "On … wrote:" line.
 */
export function buildReply(original: Message, input: ReplyInput): BuiltMessage {
  const from = input.from ?? original.to[0]?.address ?? original.envelope.rcptTo[0];
  if (!from)
    throw new MailproofError(
      "BAD_REQUEST",
      'the message has no recipient to reply as: give "from"',
    );
  const to = original.replyTo[0]?.address ?? original.from?.address ?? original.envelope.mailFrom;
  if (!to)
    throw new MailproofError(
      "UNPROCESSABLE",
      "the message has no From or Reply-To address to reply to",
    );
  const subject = original.subject ?? "";
  const parentId = bracketedMessageId(original);
  const references = referencesFor(original);
  const author = original.from
    ? original.from.name
      ? `${original.from.name} <${original.from.address}>`
      : original.from.address
    : to;
  const text =
    `${input.text.trimEnd()}\n\nOn ${original.date ?? original.receivedAt}, ${author} wrote:\n${quote(original.text ?? "")}\n`.replace(
      /\r?\n/g,
      "\r\n",
    );
  const headers = [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: ${encodeHeaderValue(/^re:/i.test(subject) ? subject : `Re: ${subject}`)}`,
    `Date: ${rfc5322Date()}`,
    `Message-ID: ${newMessageId()}`,
    ...(parentId ? [`In-Reply-To: ${parentId}`] : []),
    ...(references ? [`References: ${references}`] : []),
    `${ORIGINAL_HEADER}: ${original.id}`,
    "MIME-Version: 1.0",
  ];
  const textPart = [
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(text),
  ];
  if (input.html === undefined)
    return { raw: Buffer.from(lines(...headers, ...textPart, "")), mailFrom: from, rcptTo: [to] };
  const boundary = newBoundary();
  const html = `${input.html}\r\n<blockquote type="cite">${escapeHtml(original.text ?? "").replace(/\r?\n/g, "<br>")}</blockquote>`;
  const raw = lines(
    ...headers,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    ...textPart,
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(html),
    `--${boundary}--`,
    "",
  );
  return { raw: Buffer.from(raw), mailFrom: from, rcptTo: [to] };
}

/** RFC 2045 §6.8: base64 in lines of at most 76 characters. */
function base64Lines(text: string): string {
  return (
    Buffer.from(text)
      .toString("base64")
      .match(/.{1,76}/g) ?? [""]
  ).join("\r\n");
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (ch) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[ch]};`,
  );
}
