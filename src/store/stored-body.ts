import type { Message } from "../core/types.js";
import { withMailbox } from "../mailboxes/assign.js";

type Body = Omit<Message, "read" | "tags" | "analysis">;

/**
 * A stored message body (the message's JSON without read, tags and analysis), with the fields
 * added since filled in for rows stored before them: the default mailbox, and no parse error
 * (it parsed, or it would say so).
 */
export function parseStoredBody(json: string): Body {
  const body = JSON.parse(json) as Omit<Body, "mailbox" | "parseError"> &
    Partial<Pick<Body, "mailbox" | "parseError">>;
  return { ...withMailbox(body), parseError: body.parseError ?? null };
}
