import type { Message, MessageSummary } from "./types.js";
import { htmlToPlain } from "./text.js";

const SNIPPET_LENGTH = 200;

export function snippetOf(message: Pick<Message, "text" | "html">): string {
  // Only the head of a large body can reach the snippet; do not scan all of it.
  const head = message.text?.slice(0, SNIPPET_LENGTH * 8) ?? (message.html ? htmlToPlain(message.html.slice(0, 64 * 1024)) : "");
  return head.replace(/\s+/g, " ").trim().slice(0, SNIPPET_LENGTH);
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
    read: message.read,
    snippet: snippetOf(message),
    dmarc: message.analysis.auth?.dmarc?.result ?? null,
    findingCount: message.analysis.findings.length,
  };
}
