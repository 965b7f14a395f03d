import { Hono } from "hono";
import { findMessageCodes } from "../../analysis/codes/index.js";
import { analyzeLinks, createLinkChecker } from "../../analysis/links/index.js";
import { MailproofError } from "../../core/errors.js";
import type { LinkInfo, LinkKind } from "../../core/types.js";
import type { ApiDeps } from "../deps.js";

const KINDS = new Set<string>(["reset", "verify", "login", "unsubscribe", "other"]);

/**
 * `GET /api/messages/:id/links[?check=1][&kind=reset]`: the message's links and codes; with
 * `check=1` each (selected) link is fetched live within the allowed hosts (see live-check.ts)
 * and the result is stored on the message's analysis.
 */
export function linkRoutes(deps: ApiDeps): Hono {
  const settings = deps.links ?? { appUrl: null, allowedLinkHosts: [] };
  const checker = createLinkChecker({ logger: deps.logger }, settings);
  const app = new Hono();

  app.get("/:id/links", async (c) => {
    const id = c.req.param("id");
    const check = flag(c.req.query("check"));
    const kind = c.req.query("kind");
    if (kind !== undefined && !KINDS.has(kind))
      throw new MailproofError("BAD_REQUEST", `"kind" must be one of ${[...KINDS].join(", ")}`);
    const message = await deps.store.get(id);
    if (!message) throw new MailproofError("NOT_FOUND", `no message with id "${id}"`);
    const analysed = message.analysis.status === "done";
    // Before the analysis is stored, compute the same (pure) result on the spot.
    let links: LinkInfo[] = analysed ? message.analysis.links : analyzeLinks(message, settings);
    const codes = analysed ? message.analysis.codes : findMessageCodes(message);
    const selected = (list: LinkInfo[]) =>
      kind ? list.filter((l) => l.kind === (kind as LinkKind)) : list;
    if (check) {
      const checked = new Map(
        (await checker.checkAll(selected(links))).map((l) => [l.url, l.live ?? null]),
      );
      links = links.map((l) => (checked.has(l.url) ? { ...l, live: checked.get(l.url) } : l));
      if (analysed) await deps.store.setAnalysis(id, { ...message.analysis, links });
    }
    return c.json({ id, links: selected(links), codes });
  });

  return app;
}

function flag(value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new MailproofError("BAD_REQUEST", '"check" must be 1, true, 0 or false');
}
