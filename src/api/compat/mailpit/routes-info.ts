import { Hono } from "hono";
import { parseQuery } from "../../../store/query.js";
import type { Store } from "../../../store/store.js";
import type { MailpitContext } from "./context.js";
import type { MailpitStats } from "./stats.js";

const VERSION = "v1.24.0-mailproof";

/** `/info` (counts, tags, runtime stats) and `/webui` (the relay and features the UI shows). */
export function infoRoutes(
  ctx: MailpitContext,
  {
    stats,
    chaosEnabled,
    spamAssassin,
  }: { stats: MailpitStats; chaosEnabled: boolean; spamAssassin: boolean },
): Hono {
  const { deps } = ctx;
  const { store } = deps;
  const api = new Hono();

  api.get("/info", async (c) => {
    const [messages, unread, tags] = await Promise.all([
      store.count(),
      unreadCount(store),
      store.tags(),
    ]);
    return c.json({
      Version: VERSION,
      LatestVersion: VERSION,
      Database: store.kind,
      DatabaseSize: 0,
      Messages: messages,
      Unread: unread,
      Tags: Object.fromEntries(tags.map((t) => [t.tag, t.count])),
      RuntimeStats: stats.snapshot(),
    });
  });

  api.get("/webui", (c) => {
    const relay = deps.relay ?? null;
    return c.json({
      Label: "mailproof",
      MessageRelay: {
        Enabled: relay !== null,
        SMTPServer: relay ? new URL(relay.target).host : "",
        ReturnPath: "",
        // Mailpit gives its allow-list as one regular expression; ours is globs.
        AllowedRecipients: relay ? globsToRegex(relay.allow) : "",
        BlockedRecipients: "",
        OverrideFrom: "",
        PreserveMessageIDs: false,
        RecipientAllowlist: relay ? globsToRegex(relay.allow) : "",
      },
      SpamAssassin: spamAssassin,
      ChaosEnabled: chaosEnabled,
      DuplicatesIgnored: false,
      HideDeleteAllButton: false,
    });
  });

  return api;
}

/** Mailpit reports the unread count alongside every list and in `/info`. */
export async function unreadCount(store: Store): Promise<number> {
  return (await store.list({ query: parseQuery("is:unread"), limit: 1 })).total;
}

function globsToRegex(globs: string[]): string {
  if (globs.length === 0) return "";
  const one = (glob: string) => glob.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*");
  return `^(${globs.map(one).join("|")})$`;
}
