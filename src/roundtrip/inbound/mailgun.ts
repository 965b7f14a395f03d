import { randomBytes } from "node:crypto";
import { signMailgunWebhook } from "../../providers/mailgun/webhook.js";
import type { BuiltMessage } from "../mime.js";
import type { HttpRequestParts, SigningKeys } from "./http-formats.js";
import {
  addresses,
  formatAddresses,
  headerPairs,
  parseForInbound,
  strippedReply,
} from "./parsed.js";

/**
 * What a Mailgun route's forward() action POSTs: the parsed message as form fields, signed like
 * every Mailgun webhook (`signature` = hex HMAC-SHA256 of timestamp + token with the signing key),
 * form-urlencoded, or multipart/form-data when there are attachments.
 * https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/receive-http
 */
export async function mailgunRoute(
  mail: BuiltMessage,
  keys: SigningKeys,
): Promise<HttpRequestParts> {
  const parsed = await parseForInbound(mail.raw);
  const { signature } = signMailgunWebhook(keys.mailgun(), {});
  const text = parsed.text ?? "";
  const form = new FormData();
  form.set("recipient", mail.rcptTo.join(", "));
  form.set("sender", mail.mailFrom);
  form.set("from", formatAddresses(addresses(parsed.from)));
  form.set("To", formatAddresses(addresses(parsed.to)));
  form.set("subject", parsed.subject ?? "");
  form.set("Message-Id", parsed.messageId ?? `<${randomBytes(8).toString("hex")}@mailproof.test>`);
  form.set("body-plain", text);
  form.set("stripped-text", strippedReply(text));
  form.set("stripped-signature", "");
  if (typeof parsed.html === "string") {
    form.set("body-html", parsed.html);
    form.set("stripped-html", parsed.html);
  }
  form.set("message-headers", JSON.stringify(headerPairs(mail.raw)));
  form.set("attachment-count", String(parsed.attachments.length));
  parsed.attachments.forEach((a, i) =>
    form.set(
      `attachment-${i + 1}`,
      new Blob([new Uint8Array(a.content)], { type: a.contentType }),
      a.filename ?? `attachment-${i + 1}`,
    ),
  );
  form.set("timestamp", signature.timestamp);
  form.set("token", signature.token);
  form.set("signature", signature.signature);
  const headers = { "user-agent": "mailgun/treq-16.12.0" };
  if (parsed.attachments.length > 0) return { body: form, headers };
  const fields = new URLSearchParams(
    [...form.entries()].flatMap(([name, value]) =>
      typeof value === "string" ? [[name, value]] : [],
    ),
  );
  return {
    body: fields.toString(),
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  };
}
