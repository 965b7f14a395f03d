import { createHash } from "node:crypto";
import type { Address, AttachmentInfo, Message } from "../../../core/types.js";
import type { Store } from "../../../store/store.js";

/**
 * Mailpit API v1 JSON shapes (its published swagger: MessageSummary, MessagesSummary list items,
 * Attachment), built from our message model. PascalCase field names are Mailpit's.
 */

const mailpitAddress = (a: Address | null) => ({
  Name: a?.name ?? "",
  Address: a?.address ?? "",
});

/** Go's textproto canonical form ("message-id" → "Message-Id"), which Mailpit's header maps use. */
function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

export function headerMap(message: Message): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const { name, value } of message.headers)
    (map[canonicalHeaderName(name)] ??= []).push(value);
  return map;
}

function header(message: Message, name: string): string {
  return message.headers.find((h) => h.name.toLowerCase() === name)?.value ?? "";
}

async function attachmentShape(store: Store, message: Message, a: AttachmentInfo) {
  const stored = await store.attachment(message.id, a.id);
  const content = stored?.content ?? Buffer.alloc(0);
  return {
    PartID: a.id,
    FileName: a.filename ?? "",
    ContentType: a.contentType,
    ContentID: a.contentId ?? "",
    Size: a.size,
    Checksums: {
      MD5: createHash("md5").update(content).digest("hex"),
      SHA1: createHash("sha1").update(content).digest("hex"),
      SHA256: createHash("sha256").update(content).digest("hex"),
    },
  };
}

/** `GET /api/v1/message/{ID}`: the full message. */
export async function messageSummary(store: Store, message: Message) {
  const unsubscribe = header(message, "list-unsubscribe");
  return {
    ID: message.id,
    MessageID: message.messageId ?? "",
    From: mailpitAddress(message.from),
    To: message.to.map(mailpitAddress),
    Cc: message.cc.map(mailpitAddress),
    Bcc: message.bcc.map(mailpitAddress),
    ReplyTo: message.replyTo.map(mailpitAddress),
    ReturnPath: message.envelope.mailFrom ?? "",
    Subject: message.subject ?? "",
    ListUnsubscribe: {
      Header: unsubscribe,
      Links: [...unsubscribe.matchAll(/<([^>]+)>/g)].map((m) => m[1]),
      Errors: "",
      HeaderPost: header(message, "list-unsubscribe-post"),
    },
    Date: message.date ?? message.receivedAt,
    Tags: message.tags,
    Username: message.envelope.authUser ?? "",
    Text: message.text ?? "",
    HTML: message.html ?? "",
    Size: message.size,
    Inline: await Promise.all(
      message.attachments.filter((a) => a.inline).map((a) => attachmentShape(store, message, a)),
    ),
    Attachments: await Promise.all(
      message.attachments.filter((a) => !a.inline).map((a) => attachmentShape(store, message, a)),
    ),
  };
}

/** One entry of `GET /api/v1/messages` and `/api/v1/search`. */
export function listItem(message: Message, snippet: string) {
  return {
    ID: message.id,
    MessageID: message.messageId ?? "",
    Read: message.read,
    From: mailpitAddress(message.from),
    To: message.to.map(mailpitAddress),
    Cc: message.cc.map(mailpitAddress),
    Bcc: message.bcc.map(mailpitAddress),
    ReplyTo: message.replyTo.map(mailpitAddress),
    Subject: message.subject ?? "",
    Created: message.receivedAt,
    Username: message.envelope.authUser ?? "",
    Tags: message.tags,
    Size: message.size,
    Attachments: message.attachments.filter((a) => !a.inline).length,
    Snippet: snippet,
  };
}
