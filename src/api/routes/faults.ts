import { Hono } from "hono";
import { MailproofError } from "../../core/errors.js";
import type { FaultEngine } from "../../faults/index.js";
import type { ApiDeps } from "../deps.js";

/**
 * SMTP fault rules (DESIGN.md "Faults"). PUT replaces the whole list, and with it every rule's
 * `times` counter, rate window and random generator, so each test starts from a known state.
 * An invalid rule is a 400 naming the field (`rules[1].reply.code must be …`); the old rules
 * stay in force.
 */
export function faultRoutes(deps: Pick<ApiDeps, "logger"> & { faults: FaultEngine }): Hono {
  const app = new Hono();
  app.get("/", (c) => c.json({ rules: deps.faults.rules() }));
  app.put("/", async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new MailproofError(
        "INVALID_JSON",
        'the request body must be JSON: { "rules": [rule, …] }',
      );
    });
    if (typeof body !== "object" || body === null || Array.isArray(body) || !("rules" in body)) {
      throw new MailproofError(
        "BAD_REQUEST",
        'rules is required: { "rules": [rule, …] } (an empty list removes every rule)',
      );
    }
    const rules = deps.faults.replace(body.rules);
    deps.logger.info({ rules }, "smtp fault rules replaced");
    return c.json({ rules });
  });
  return app;
}
