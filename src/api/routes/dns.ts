import { Hono } from "hono";
import { MailproofError } from "../../core/errors.js";
import type { ApiDeps } from "../deps.js";

/**
 * The run-time DNS zone analysis answers from (mailauth's dns-cache format). PUT replaces it
 * whole, so a test can publish a DKIM key or break an SPF record and send again; messages
 * already analysed keep their verdicts.
 */
export function dnsRoutes(deps: Pick<ApiDeps, "dnsZone" | "logger">): Hono {
  const app = new Hono();
  app.get("/", (c) => c.json(deps.dnsZone.get()));
  app.put("/", async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new MailproofError("INVALID_JSON", "the request body must be a JSON zone");
    });
    const zone = deps.dnsZone.replace(body);
    deps.logger.info({ names: Object.keys(zone).length }, "dns zone replaced");
    return c.json(zone);
  });
  return app;
}
