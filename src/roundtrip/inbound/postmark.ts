import type { BuiltMessage } from "../mime.js";
import type { HttpRequestParts } from "./http-formats.js";
import {
  addresses,
  formatAddresses,
  headerPairs,
  parseForInbound,
  strippedReply,
  type InboundAddress,
} from "./parsed.js";

/** Postmark's MailboxHash: the part after "+" in the local part (`inbound+hash@…`). */
function mailboxHash(address: string): string {
  const local = address.split("@")[0] ?? "";
  const plus = local.indexOf("+");
  return plus === -1 ? "" : local.slice(plus + 1);
}

const full = (list: InboundAddress[]) =>
  list.map((a) => ({ Email: a.address, Name: a.name, MailboxHash: mailboxHash(a.address) }));

/**
 * Postmark's inbound webhook JSON.
 * https://postmarkapp.com/developer/webhooks/inbound-webhook
 */
export async function postmarkInbound(mail: BuiltMessage): Promise<HttpRequestParts> {
  const parsed = await parseForInbound(mail.raw);
  const [from = { name: "", address: "" }] = addresses(parsed.from);
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  const text = parsed.text ?? "";
  const body = {
    FromName: from.name,
    MessageStream: "inbound",
    From: from.address,
    FromFull: { Email: from.address, Name: from.name, MailboxHash: mailboxHash(from.address) },
    To: formatAddresses(to),
    ToFull: full(to),
    Cc: formatAddresses(cc),
    CcFull: full(cc),
    Bcc: "",
    BccFull: [],
    OriginalRecipient: mail.rcptTo[0] ?? to[0]?.address ?? "",
    Subject: parsed.subject ?? "",
    MessageID: crypto.randomUUID(),
    ReplyTo: formatAddresses(addresses(parsed.replyTo)),
    MailboxHash: mailboxHash(mail.rcptTo[0] ?? to[0]?.address ?? ""),
    Date: (parsed.date ?? new Date()).toUTCString().replace("GMT", "+0000"),
    TextBody: text,
    HtmlBody: typeof parsed.html === "string" ? parsed.html : "",
    StrippedTextReply: strippedReply(text),
    Tag: "",
    Headers: headerPairs(mail.raw).map(([Name, Value]) => ({ Name, Value })),
    Attachments: parsed.attachments.map((a) => ({
      Name: a.filename ?? "attachment",
      Content: a.content.toString("base64"),
      ContentType: a.contentType,
      ContentLength: a.size,
      ContentID: a.contentId ?? "",
    })),
  };
  return {
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", "user-agent": "Postmark" },
  };
}
