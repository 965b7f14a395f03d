import type { Logger } from "pino";
import type { LinkChecker } from "../analysis/links/live-check.js";
import { MailproofError } from "../core/errors.js";
import type { Message } from "../core/types.js";
import { headerValue } from "./mime.js";

interface UnsubscribeResult {
  url: string;
  status: number;
  ok: boolean;
}

/**
 * The URL an RFC 8058 one-click unsubscribe POSTs to: the message needs
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` and an HTTPS URI in `List-Unsubscribe`
 * (§3.1), or an http one on the `--app-url` origin, for an app running locally.
 */
function oneClickUrl(message: Message, appUrl: string | null): URL {
  const post = headerValue(message, "List-Unsubscribe-Post");
  const list = headerValue(message, "List-Unsubscribe");
  if (!list || post?.trim() !== "List-Unsubscribe=One-Click") {
    throw new MailproofError(
      "UNPROCESSABLE",
      "the message has no one-click unsubscribe: it needs List-Unsubscribe with an https URL and List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058)",
    );
  }
  const appOrigin = appUrl ? new URL(appUrl).origin : null;
  for (const match of list.matchAll(/<([^>]+)>/g)) {
    let url: URL;
    try {
      url = new URL(match[1].trim());
    } catch {
      continue;
    }
    if (url.protocol === "https:" || (url.protocol === "http:" && url.origin === appOrigin))
      return url;
  }
  throw new MailproofError(
    "UNPROCESSABLE",
    `List-Unsubscribe has no https URL${appOrigin ? ` (nor an http one on ${appOrigin})` : ""}: ${list}`,
  );
}

/** Performs the one-click POST the way a mailbox provider does: the fixed form body, nothing else. */
export async function unsubscribe(
  deps: { checker: LinkChecker; logger: Logger },
  message: Message,
  appUrl: string | null,
): Promise<UnsubscribeResult> {
  const url = oneClickUrl(message, appUrl);
  if (!deps.checker.allows(url)) {
    throw new MailproofError(
      "FORBIDDEN",
      `not posting to ${url.host}: only hosts the live link check allows (--app-url, --allowed-link-hosts)`,
    );
  }
  try {
    const { status } = await deps.checker.post(
      url,
      "List-Unsubscribe=One-Click",
      "application/x-www-form-urlencoded",
    );
    deps.logger.info({ id: message.id, url: url.href, status }, "one-click unsubscribe posted");
    return { url: url.href, status, ok: status >= 200 && status < 300 };
  } catch (err) {
    deps.logger.warn({ err, id: message.id, url: url.href }, "one-click unsubscribe failed");
    throw new MailproofError(
      "RELAY_FAILED",
      `the unsubscribe POST to ${url.href} failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
