import type { BuiltMessage } from "../mime.js";
import type { HttpRequestParts } from "./http-formats.js";
import { addresses, formatAddresses, parseForInbound, rawHeaders } from "./parsed.js";

/**
 * SendGrid Inbound Parse (default, not raw) POSTs multipart/form-data with these fields and the
 * attachments as files `attachment1…N`.
 * https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook
 */
export async function sendgridParse(mail: BuiltMessage): Promise<HttpRequestParts> {
  const parsed = await parseForInbound(mail.raw);
  const form = new FormData();
  form.set("headers", rawHeaders(mail.raw));
  form.set("dkim", "none");
  form.set("to", formatAddresses(addresses(parsed.to)));
  if (parsed.cc) form.set("cc", formatAddresses(addresses(parsed.cc)));
  form.set("from", formatAddresses(addresses(parsed.from)));
  form.set("subject", parsed.subject ?? "");
  form.set("text", parsed.text ?? "");
  if (typeof parsed.html === "string") form.set("html", parsed.html);
  form.set("sender_ip", "127.0.0.1");
  form.set("envelope", JSON.stringify({ to: mail.rcptTo, from: mail.mailFrom }));
  form.set(
    "charsets",
    JSON.stringify({ to: "UTF-8", from: "UTF-8", subject: "UTF-8", text: "UTF-8", html: "UTF-8" }),
  );
  form.set("SPF", "none");
  form.set("spam_score", "0.0");
  form.set("spam_report", "");
  form.set("attachments", String(parsed.attachments.length));
  const info: Record<
    string,
    { filename: string; name: string; type: string; "content-id"?: string }
  > = {};
  parsed.attachments.forEach((a, i) => {
    const key = `attachment${i + 1}`;
    const filename = a.filename ?? key;
    info[key] = {
      filename,
      name: filename,
      type: a.contentType,
      ...(a.contentId ? { "content-id": a.contentId.replace(/^<|>$/g, "") } : {}),
    };
    form.set(key, new Blob([new Uint8Array(a.content)], { type: a.contentType }), filename);
  });
  if (parsed.attachments.length > 0) form.set("attachment-info", JSON.stringify(info));
  return { body: form, headers: { "user-agent": "Sendlib/1.0 (mailproof inbound parse)" } };
}
