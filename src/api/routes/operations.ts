import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { Store } from "../../store/store.js";
import { errorBody } from "../errors.js";

interface OperationsDeps {
  store: Store;
  metrics: Registry;
  /** Ports known once the listeners are up. */
  ports: () => { smtpPort: number | null; httpPort: number | null };
}

/** A store that does not answer within this is not ready (a load balancer's probe is ~1–5 s). */
const READY_TIMEOUT_MS = 2000;

/** `/metrics` (Prometheus text format), `/livez` (the process answers) and `/readyz` (it can take mail). */
export function operationsRoutes(deps: OperationsDeps): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) =>
    c.text(await deps.metrics.metrics(), 200, { "Content-Type": deps.metrics.contentType }),
  );
  app.get("/livez", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const { smtpPort, httpPort } = deps.ports();
    if (smtpPort === null || httpPort === null)
      return c.json(errorBody("UNAVAILABLE", "the listeners are not up yet"), 503);
    try {
      await withTimeout(deps.store.count(), READY_TIMEOUT_MS);
    } catch (err) {
      return c.json(
        errorBody("UNAVAILABLE", `the store is not reachable: ${(err as Error).message}`),
        503,
      );
    }
    return c.json({ status: "ok" });
  });
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
