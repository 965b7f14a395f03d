import { withOriginalId } from "../../roundtrip/original.js";
import { Hono } from "hono";
import type { ApiDeps } from "../deps.js";
import { errorBody } from "../errors.js";
import { afterCursor, intParam } from "../params.js";
import { searchParams } from "../search-params.js";
import { waitTimeoutMessage } from "../wait-timeout.js";
import type { Waiters } from "../waiters.js";

const MAX_WAIT_MS = 10 * 60_000;

export function waitRoutes(deps: ApiDeps, waiters: Waiters): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const { query, text: queryText } = searchParams(c);
    const afterId = afterCursor(c.req.query("after"), Date.now());
    const timeout = intParam(c.req.query("timeout"), "timeout", 10_000, 0, MAX_WAIT_MS);
    const message = await waiters.wait(query, afterId, timeout, c.req.raw.signal);
    if (message) return c.json(withOriginalId(message));
    return c.json(
      errorBody(
        "TIMEOUT",
        await waitTimeoutMessage(deps.store, query, queryText, afterId, timeout),
      ),
      408,
    );
  });
  return app;
}
