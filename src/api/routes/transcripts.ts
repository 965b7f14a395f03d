import { Hono } from "hono";
import { MailproofError } from "../../core/errors.js";
import type { TranscriptRecorder } from "../../transcripts/recorder.js";
import { toSessionSummary } from "../../core/transcripts.js";
import { intParam, isMessageId } from "../params.js";
import type { ApiDeps } from "../deps.js";

/**
 * SMTP session transcripts: what each client said and what it was told. The list holds
 * summaries (no lines), newest first, sessions still open included; `messageId` finds the
 * session that carried a message, and answers it whole (the web UI's Transcript tab shows it).
 */
export function transcriptRoutes(
  deps: Pick<ApiDeps, "logger"> & { sessions: TranscriptRecorder },
): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const messageId = c.req.query("messageId") || null;
    const before = c.req.query("before") || null;
    if (messageId !== null && !isMessageId(messageId))
      throw new MailproofError(
        "BAD_REQUEST",
        `"messageId" must be a message id, not "${messageId}"`,
      );
    if (before !== null && !isMessageId(before))
      throw new MailproofError("BAD_REQUEST", `"before" must be a session id, not "${before}"`);
    const limit = intParam(c.req.query("limit"), "limit", 50, 1, 1000);
    const { sessions, next } = await deps.sessions.list({ messageId, limit, before });
    // A message was carried by one session (rarely more): those come whole, lines included.
    return c.json({ sessions: messageId ? sessions : sessions.map(toSessionSummary), next });
  });
  app.get("/:id", async (c) => {
    const id = c.req.param("id");
    const session = isMessageId(id) ? await deps.sessions.get(id) : null;
    if (!session) throw new MailproofError("NOT_FOUND", `no session ${id}`);
    return c.json(session);
  });
  return app;
}
