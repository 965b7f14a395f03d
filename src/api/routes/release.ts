import { Hono } from "hono";
import { MailproofError } from "../../core/errors.js";
import type { Relay } from "../../relay/relay.js";
import { recipientsParam, releaseMessage } from "../../relay/release.js";
import type { Store } from "../../store/store.js";

/** `POST /api/messages/:id/release { to? }` → `{ relayed, reply }` (DESIGN.md "REST API"). */
export function releaseRoutes(deps: { store: Store; relay: Relay | null }): Hono {
  const app = new Hono();
  app.post("/:id/release", async (c) => {
    const text = await c.req.text();
    let body: { to?: unknown } = {};
    if (text.trim()) {
      try {
        body = JSON.parse(text) as { to?: unknown };
      } catch {
        throw new MailproofError(
          "INVALID_JSON",
          'the request body must be JSON: { "to": ["address", …] } or empty',
        );
      }
    }
    return c.json(await releaseMessage(deps, c.req.param("id"), recipientsParam(body?.to, "to")));
  });
  return app;
}
