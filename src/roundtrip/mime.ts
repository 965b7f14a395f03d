import { randomBytes } from "node:crypto";
import type { Message } from "../core/types.js";

/** The host name mailproof's simulated reporting MTA, mailbox and feedback loop speak as. */
export const SIMULATOR_DOMAIN = "simulator.mailproof.test";
/** Links a generated response to the message it answers (its mailproof id). */
export const ORIGINAL_HEADER = "X-Mailproof-Original";

/** A raw message ready for ingest and --inbound: bytes plus the SMTP envelope it travels with. */
export interface BuiltMessage {
  raw: Buffer;
  /** Envelope sender; "" is the null sender `<>`. */
  mailFrom: string;
  rcptTo: string[];
}

export function newBoundary(): string {
  return `=_mailproof_${randomBytes(12).toString("hex")}`;
}

export function newMessageId(): string {
  return `<${randomBytes(12).toString("hex")}@${SIMULATOR_DOMAIN}>`;
}

/** RFC 5322 §3.3 date-time, as MTAs write it. */
export function rfc5322Date(date: Date = new Date()): string {
  return date.toUTCString().replace("GMT", "+0000");
}

/** An unstructured header value: RFC 2047 encoded-word when it is not plain ASCII. */
export function encodeHeaderValue(value: string): string {
  const clean = value.replace(/[\r\n]+/g, " ");
  return /^[\x20-\x7e]*$/.test(clean)
    ? clean
    : `=?UTF-8?B?${Buffer.from(clean).toString("base64")}?=`;
}

/** The header block of a raw message, without the blank line that ends it. */
export function headerBlock(raw: Buffer): string {
  const text = raw.toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const block = end === -1 ? text : text.slice(0, end);
  return block.replace(/\r?\n/g, "\r\n");
}

export function headerValue(message: Message, name: string): string | null {
  const lower = name.toLowerCase();
  return message.headers.find((h) => h.name.toLowerCase() === lower)?.value ?? null;
}

/**
 * Where responses to a message go: its Return-Path (RFC 3464 §2, RFC 3834 §4), which is the
 * envelope sender on arrival, kept verbatim so VERP addresses (`bounces+user=example.com@…`)
 * still identify the recipient. Null for the null sender: nothing answers a bounce.
 */
export function returnPath(message: Message): string | null {
  const fromEnvelope = message.envelope.mailFrom;
  if (fromEnvelope !== null) return fromEnvelope === "" ? null : fromEnvelope;
  const header = headerValue(message, "Return-Path");
  if (header !== null) {
    const address = header.trim().replace(/^<|>$/g, "");
    return address === "" ? null : address;
  }
  return message.from?.address ?? null;
}

/** Joins header lines and MIME parts with CRLF, as RFC 5322 requires on the wire. */
export function lines(...parts: string[]): string {
  return parts.join("\r\n");
}

/** The "On …, … wrote:" quote of a reply, each line prefixed "> " (RFC 3676 §4.5 style). */
export function quote(text: string): string {
  return text
    .replace(/\r\n/g, "\n")
    .trimEnd()
    .split("\n")
    .map((line) => (line.startsWith(">") ? `>${line}` : `> ${line}`))
    .join("\n");
}

/** RFC 5322 §3.6.4: References = the parent's References (or In-Reply-To) plus its Message-ID. */
export function referencesFor(message: Message): string | null {
  const parent = bracketedMessageId(message);
  const earlier = headerValue(message, "References") ?? headerValue(message, "In-Reply-To");
  return [earlier?.trim(), parent].filter(Boolean).join(" ") || null;
}

export function bracketedMessageId(message: Message): string | null {
  return message.messageId ? `<${message.messageId.replace(/^<|>$/g, "")}>` : null;
}
