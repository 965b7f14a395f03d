import { Hono } from "hono";
import type { ApiDeps } from "../deps.js";
import { createChaosBridge, type FaultRulesAccess } from "./mailpit/chaos.js";
import { mailhogRoutes } from "./mailhog/routes.js";
import { mailpitRoutes } from "./mailpit/routes.js";
import { createMailpitStats } from "./mailpit/stats.js";

interface CompatOptions {
  /** Whether SpamAssassin (spamd) is configured, for Mailpit's webui/sa-check answers. */
  spamAssassin: boolean;
  /** Access to the SMTP fault rules, for Mailpit's chaos triggers; null without faults. */
  faults: FaultRulesAccess | null;
}

/**
 * Drop-in compatibility: Mailpit's API v1 (`/api/v1`, `/view`) and MailHog's API v2 (`/api/v2`,
 * plus its v1 message routes). Mounted before the native API's 404 so the paths never collide
 * with the unversioned native `/api/…`.
 */
export function compatRoutes(deps: ApiDeps, options: CompatOptions): Hono {
  const app = new Hono();
  const mailpit = mailpitRoutes(deps, {
    stats: createMailpitStats(deps.events),
    chaos: options.faults ? createChaosBridge(options.faults) : null,
    spamAssassin: options.spamAssassin,
  });
  const mailhog = mailhogRoutes(deps);
  app.route("/api/v1", mailhog.v1);
  app.route("/api/v1", mailpit.api);
  app.route("/api/v2", mailhog.v2);
  app.route("/view", mailpit.view);
  return app;
}
