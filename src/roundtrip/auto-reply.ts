import type { Message } from "../core/types.js";
import {
  bracketedMessageId,
  encodeHeaderValue,
  lines,
  newMessageId,
  ORIGINAL_HEADER,
  referencesFor,
  rfc5322Date,
  type BuiltMessage,
} from "./mime.js";

/**
 * An RFC 3834 out-of-office reply from `recipient`: `Auto-Submitted: auto-replied` (§5),
 * In-Reply-To/References to the original (§3.1.5), sent to its Return-Path (§4) from the null
 * envelope sender (§3.3) so that another responder cannot answer it.
 */
export function buildAutoReply(original: Message, recipient: string, to: string): BuiltMessage {
  const parentId = bracketedMessageId(original);
  const references = referencesFor(original);
  const raw = lines(
    `From: <${recipient}>`,
    `To: <${to}>`,
    `Subject: ${encodeHeaderValue(`Automatic reply: ${original.subject ?? ""}`.trimEnd())}`,
    `Date: ${rfc5322Date()}`,
    `Message-ID: ${newMessageId()}`,
    ...(parentId ? [`In-Reply-To: ${parentId}`] : []),
    ...(references ? [`References: ${references}`] : []),
    "Auto-Submitted: auto-replied",
    "X-Auto-Response-Suppress: All",
    `${ORIGINAL_HEADER}: ${original.id}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "I am out of the office and will reply when I am back.",
    "",
    `Original message: ${original.id}`,
    "",
  );
  return { raw: Buffer.from(raw, "utf8"), mailFrom: "", rcptTo: [to] };
}
