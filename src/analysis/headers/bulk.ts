import type { Message } from "../../core/types.js";
import { classifyLink } from "../links/kind.js";

function headerValues(message: Message, name: string): string[] {
  const lower = name.toLowerCase();
  return message.headers.filter((h) => h.name.toLowerCase() === lower).map((h) => h.value);
}

/** This many envelope recipients in one transaction is a send to a list, whatever the headers say. */
const BULK_RECIPIENTS = 10;
/** Links looked at to tell account mail from a newsletter: the action link comes first. */
const MAX_LINKS = 200;

/** Subjects of mail a user asked for about their own account. */
const ACCOUNT_SUBJECT =
  /\b(password|passcode|reset|verify|verification|confirm (your )?(e-?mail|account|address|sign[ -]?up|registration)|sign[ -]?in|log[ -]?in|security code|one[- ]time|two[- ]factor|2fa|magic link)\b/i;

/**
 * Mail that looks sent in bulk, from the signals taken together:
 * - a list: `List-Id` (RFC 2919) or `Precedence: bulk|list|junk` (RFC 3834 §3.1.8);
 * - volume: one transaction to many recipients;
 * - an unsubscribe offer (`List-Unsubscribe`, RFC 2369, or a link in the body), unless the
 *   message is account mail (a reset, verification or sign-in link, or such a subject): a
 *   password reset with a footer unsubscribe link is transactional, and Gmail's and Yahoo's bulk
 *   sender rules exempt transactional mail.
 */
export function looksBulk(message: Message): boolean {
  if (headerValues(message, "List-Id").length) return true;
  if (headerValues(message, "Precedence").some((v) => /^\s*(bulk|list|junk)\b/i.test(v)))
    return true;
  if (new Set(message.envelope.rcptTo.map((r) => r.toLowerCase())).size >= BULK_RECIPIENTS)
    return true;
  const offersUnsubscribe =
    headerValues(message, "List-Unsubscribe").length > 0 ||
    /\bunsubscribe\b/i.test(message.text ?? "") ||
    /\bunsubscribe\b/i.test(message.html ?? "");
  return offersUnsubscribe && !looksLikeAccountMail(message);
}

function looksLikeAccountMail(message: Pick<Message, "subject" | "text" | "html">): boolean {
  if (ACCOUNT_SUBJECT.test(message.subject ?? "")) return true;
  const bodies = `${message.text ?? ""}\n${message.html ?? ""}`;
  let seen = 0;
  for (const match of bodies.matchAll(/https?:\/\/[^\s"'<>]+/gi)) {
    if (++seen > MAX_LINKS) break;
    const kind = classifyLink(parseUrl(match[0].replace(/&amp;/g, "&")), null);
    if (kind === "reset" || kind === "verify" || kind === "login") return true;
  }
  return false;
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

export interface UnsubscribeState {
  /** List-Unsubscribe is present (RFC 2369). */
  present: boolean;
  /** It offers an https URI and List-Unsubscribe-Post asks for one-click (RFC 8058 §3.1). */
  oneClick: boolean;
  /** List-Unsubscribe-Post is present. */
  post: boolean;
}

export function unsubscribeState(message: Message): UnsubscribeState {
  const list = headerValues(message, "List-Unsubscribe").join(",");
  const post = headerValues(message, "List-Unsubscribe-Post").some((v) =>
    /^\s*List-Unsubscribe=One-Click\s*$/i.test(v),
  );
  const https = /<https:\/\/[^>]+>/i.test(list);
  return { present: list.length > 0, oneClick: https && post, post };
}
