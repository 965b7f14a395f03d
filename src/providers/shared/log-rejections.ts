/**
 * One structured log line per request a provider mock refuses (4xx/5xx), with the provider's own
 * error body, so "why did my send fail?" is answered in the sandbox log as well as by the SDK.
 */

import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";

/** Error bodies are small JSON or XML documents; longer ones are cut for the log line. */
const MAX_LOGGED_BODY = 1000;

export function logRejections(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const status = c.res.status;
    if (status < 400) return;
    const body = (await c.res.clone().text()).slice(0, MAX_LOGGED_BODY);
    const fields = { method: c.req.method, path: c.req.path, status, body };
    if (status >= 500) logger.warn(fields, "provider mock answered with a server error");
    else logger.info(fields, "provider mock refused the request");
  };
}
