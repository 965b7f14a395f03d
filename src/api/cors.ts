import type { MiddlewareHandler } from "hono";

const METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
/** Headers our API and the provider SDKs send beyond the CORS-safelisted ones. */
const HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Requested-With";
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * `--cors ORIGIN`: CORS (Fetch standard §3.2) for exactly that origin. Requests from any other
 * origin, or without one, get no CORS headers at all, so the browser keeps the same-origin policy.
 * Preflights from the origin are answered here, before access control: browsers never attach
 * credentials to a preflight.
 */
export function corsFor(origin: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.header("origin") !== origin) return next();
    const preflight =
      c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
    const headers: Record<string, string> = {
      "Access-Control-Allow-Origin": origin,
      // Basic credentials from a page on the trusted origin (fetch with credentials: "include").
      "Access-Control-Allow-Credentials": "true",
    };
    if (preflight) {
      return c.body(null, 204, {
        ...headers,
        Vary: "Origin",
        "Access-Control-Allow-Methods": METHODS,
        "Access-Control-Allow-Headers": HEADERS,
        "Access-Control-Max-Age": String(PREFLIGHT_MAX_AGE_S),
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
    c.res.headers.append("Vary", "Origin");
  };
}
