/**
 * The native provider API (DESIGN.md "REST API"): state, templates, the event log and the webhook
 * attempt log of each provider mock, under `/api/providers/:name`.
 */

import { Hono, type Context } from "hono";
import { MailproofError } from "../../core/errors.js";
import type { EventLog } from "./event-log.js";
import type { StateRegistry } from "./state.js";
import { isProviderName, PROVIDER_NAMES, type ProviderName } from "./types.js";

interface NativeRoutesDeps {
  states: StateRegistry;
  logs: Map<ProviderName, EventLog>;
  /** Clears a provider's logs and records after its state is reset. */
  onReset(name: ProviderName): void;
}

export function nativeProviderRoutes(deps: NativeRoutesDeps): Hono {
  const { states } = deps;
  const app = new Hono();

  const providerName = (c: Context): ProviderName => {
    const name = c.req.param("name") ?? "";
    if (!isProviderName(name))
      throw new MailproofError(
        "NOT_FOUND",
        `no provider "${name}" (one of ${PROVIDER_NAMES.join(", ")})`,
      );
    return name;
  };
  const jsonBody = async (c: Context): Promise<unknown> => {
    try {
      return await c.req.json();
    } catch {
      throw new MailproofError("INVALID_JSON", "the request body must be JSON");
    }
  };
  const logOf = (name: ProviderName) => deps.logs.get(name) as EventLog;

  app.get("/", (c) =>
    c.json({ providers: PROVIDER_NAMES.map((name) => ({ name, ...states.get(name) })) }),
  );
  app.get("/:name", (c) => c.json(states.get(providerName(c))));
  app.put("/:name", async (c) => {
    const name = providerName(c);
    return c.json(states.update(name, await jsonBody(c)));
  });
  app.delete("/:name", (c) => {
    const name = providerName(c);
    const state = states.reset(name);
    logOf(name).clear();
    deps.onReset(name);
    return c.json(state);
  });

  app.get("/:name/events", (c) => {
    const name = providerName(c);
    const q = (key: string) => c.req.query(key) || undefined;
    const events = logOf(name).list({
      type: q("type"),
      recipient: q("recipient"),
      providerMessageId: q("providerMessageId"),
      messageId: q("messageId"),
    });
    return c.json({ events });
  });
  app.get("/:name/webhooks", (c) => c.json({ attempts: logOf(providerName(c)).attempts() }));

  app.get("/:name/templates", (c) => c.json({ templates: states.get(providerName(c)).templates }));
  app.put("/:name/templates/:id", async (c) => {
    const name = providerName(c);
    return c.json(states.setTemplate(name, c.req.param("id"), await jsonBody(c)));
  });
  app.delete("/:name/templates/:id", (c) => {
    const name = providerName(c);
    const id = c.req.param("id");
    if (!states.deleteTemplate(name, id))
      throw new MailproofError("NOT_FOUND", `provider ${name} has no template "${id}"`);
    return c.json({ deleted: id });
  });
  return app;
}
