import { Hono } from "hono";
import type { ApiDeps } from "../../deps.js";
import { MailproofError } from "../../../core/errors.js";
import type { ChaosBridge } from "./chaos.js";
import { createMailpitContext } from "./context.js";
import { infoRoutes } from "./routes-info.js";
import { listRoutes } from "./routes-list.js";
import { messageRoutes } from "./routes-message.js";
import { tagRoutes } from "./routes-tags.js";
import { buildSendMessage } from "./send.js";
import type { MailpitStats } from "./stats.js";

/**
 * Mailpit's REST API v1 (`/api/v1/…` and `/view/…`), answered from our store, so test suites and
 * clients written for Mailpit (mailpit-api, cypress-mailpit) work unchanged. Mutations answer
 * "ok" as plain text, as Mailpit does.
 */
interface MailpitExtras {
  stats: MailpitStats;
  /** Maps Mailpit's chaos triggers onto our SMTP fault rules; null when faults are unavailable. */
  chaos: ChaosBridge | null;
  spamAssassin: boolean;
}

export function mailpitRoutes(
  deps: ApiDeps,
  { stats, chaos, spamAssassin }: MailpitExtras,
): { api: Hono; view: Hono } {
  const ctx = createMailpitContext(deps);
  const api = new Hono();
  api.route("/", infoRoutes(ctx, { stats, chaosEnabled: chaos !== null, spamAssassin }));
  api.route("/", listRoutes(ctx));
  api.route("/", messageRoutes(ctx, { spamAssassin }));
  api.route("/", tagRoutes(ctx));

  // Tags come from the body's Tags and, as for every source, its X-Tags header (src/ingest/capture-tags.ts).
  api.post("/send", async (c) => {
    const input = await buildSendMessage(await ctx.readJson(c));
    const message = await deps.ingest({
      ...input,
      source: { kind: "upload", providerMessageId: null },
    });
    return c.json({ ID: message.id });
  });

  api.get("/chaos", (c) => {
    if (!chaos) throw new MailproofError("BAD_REQUEST", "chaos is not available");
    return c.json(chaos.get());
  });
  api.put("/chaos", async (c) => {
    if (!chaos) throw new MailproofError("BAD_REQUEST", "chaos is not available");
    return c.json(chaos.set(await ctx.readJson(c)));
  });

  const view = new Hono();
  view.get("/:file", async (c) => {
    const match = /^(.+)\.(html|txt)$/.exec(c.req.param("file"));
    if (!match) throw new MailproofError("NOT_FOUND", "use /view/{ID}.html or /view/{ID}.txt");
    const message = await ctx.resolveMessage(match[1], c.req.query("query"));
    if (match[2] === "txt") return c.text(message.text ?? "");
    // Captured HTML may be hostile: served as its own document, it must not run script on our origin.
    return c.html(message.html ?? "", 200, {
      "Content-Security-Policy":
        "default-src 'none'; img-src * data: cid:; style-src 'unsafe-inline' *; sandbox",
    });
  });

  return { api, view };
}
