import type { Query } from "../store/query.js";
import type { Store } from "../store/store.js";

export interface DropEntry {
  id: string;
  size: number;
  deleted: boolean;
}

/** Page size while listing the maildrop at login. */
const PAGE = 1000;

/**
 * The maildrop a POP3 session sees: every stored message matching `query` (the login's mailbox,
 * see loginQuery) at login, oldest first (RFC 1939 §5
 * numbers messages from 1 and the numbers stay fixed for the session, whatever arrives meanwhile).
 */
export async function openMaildrop(store: Store, query: Query): Promise<DropEntry[]> {
  const entries: DropEntry[] = [];
  let before: string | null = null;
  for (;;) {
    const page = await store.list({ query, limit: PAGE, before });
    for (const m of page.messages) entries.push({ id: m.id, size: m.size, deleted: false });
    if (!page.next) break;
    before = page.next;
  }
  return entries.reverse();
}

/**
 * The bytes POP3 sends for a message: CRLF line endings (RFC 1939 §3) and dot-stuffing, then the
 * terminating ".". With `bodyLines` (TOP), the header and that many body lines only.
 */
export function multiline(raw: Buffer, bodyLines?: number): Buffer {
  let text = raw.toString("latin1").replace(/\r?\n/g, "\r\n");
  if (bodyLines !== undefined) {
    const headerEnd = text.indexOf("\r\n\r\n");
    if (headerEnd >= 0) {
      const body = text
        .slice(headerEnd + 4)
        .split("\r\n")
        .slice(0, bodyLines);
      text = `${text.slice(0, headerEnd)}\r\n\r\n${body.join("\r\n")}`;
    }
  }
  if (!text.endsWith("\r\n")) text += "\r\n";
  // latin1 round-trips every byte, so 8-bit and UTF-8 content is sent exactly as stored.
  return Buffer.from(`${text.replace(/^\./gm, "..")}.\r\n`, "latin1");
}
