import type { Message, MessageSummary } from "./types.js";
import { htmlToPlain } from "./text.js";

const SNIPPET_LENGTH = 200;

/** Body text past this point never reaches a snippet. */
const SNIPPET_SCAN = SNIPPET_LENGTH * 8;

/** The first SNIPPET_LENGTH characters of the body, whitespace runs folded to one space. */
export function snippetOf(message: Pick<Message, "text" | "html">): string {
  const body = message.text ?? (message.html ? htmlToPlain(message.html.slice(0, 64 * 1024)) : "");
  const end = Math.min(body.length, SNIPPET_SCAN);
  // Folding is local, so a longer head only appends: fold a short one first (it is on every
  // capture's path) and a longer one only when whitespace left it too short.
  for (let take = SNIPPET_LENGTH * 2; ; take *= 2) {
    const head = body.slice(0, Math.min(take, end)).replace(/\s+/g, " ").trim();
    if (head.length >= SNIPPET_LENGTH || take >= end) return head.slice(0, SNIPPET_LENGTH);
  }
}

export function toSummary(message: Message): MessageSummary {
  return {
    id: message.id,
    receivedAt: message.receivedAt,
    source: message.source,
    from: message.from,
    to: message.to,
    subject: message.subject,
    size: message.size,
    attachmentCount: message.attachments.length,
    tags: message.tags,
    mailbox: message.mailbox,
    read: message.read,
    snippet: snippetOf(message),
    dmarc: message.analysis.auth?.dmarc?.result ?? null,
    findingCount: message.analysis.findings.length,
  };
}
