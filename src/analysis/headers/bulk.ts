import type { Message } from "../../core/types.js";

export function headerValues(message: Message, name: string): string[] {
  const lower = name.toLowerCase();
  return message.headers.filter((h) => h.name.toLowerCase() === lower).map((h) => h.value);
}

/**
 * Mail that looks sent in bulk: list headers (RFC 2369, RFC 2919), `Precedence: bulk|list`, or
 * an unsubscribe offer in the body. Transactional mail (a reset link) has none of these.
 */
export function looksBulk(message: Message): boolean {
  if (headerValues(message, "List-Unsubscribe").length || headerValues(message, "List-Id").length) return true;
  if (headerValues(message, "Precedence").some((v) => /^\s*(bulk|list)\b/i.test(v))) return true;
  return /\bunsubscribe\b/i.test(message.text ?? "") || /\bunsubscribe\b/i.test(message.html ?? "");
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
  const post = headerValues(message, "List-Unsubscribe-Post").some((v) => /^\s*List-Unsubscribe=One-Click\s*$/i.test(v));
  const https = /<https:\/\/[^>]+>/i.test(list);
  return { present: list.length > 0, oneClick: https && post, post };
}
