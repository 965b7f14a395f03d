import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { isMailproofError } from "../core/errors.js";

/** Every API error leaves as `{ error: { code, message } }` with a fitting status. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function createErrorHandler(logger: Logger) {
  return (err: Error, c: Context) => {
    if (isMailproofError(err)) {
      if (err.status >= 500) logger.error({ err, path: c.req.path }, "request failed");
      return c.json(errorBody(err.code, err.message), err.status as ContentfulStatusCode);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json(
        errorBody(
          status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST",
          err.message || "bad request",
        ),
        status,
      );
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, "unhandled error in request");
    return c.json(errorBody("INTERNAL", "internal error; see the mailproof log"), 500);
  };
}
