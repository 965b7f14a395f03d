import type { MiddlewareHandler } from "hono";
import { BUSY_RETRY_AFTER_SECONDS } from "../limits/bytes-in-flight.js";
import { receiveBody } from "../limits/receive-body.js";
import type { ApiDeps } from "./deps.js";
import { errorBody } from "./errors.js";

/** A native ingestion route's body: 413 beyond `maxBytes`, 503 with Retry-After while the budget is full. */
export function ingestionBody(
  deps: Pick<ApiDeps, "inFlight">,
  maxBytes: number,
): MiddlewareHandler {
  return receiveBody({
    maxBytes,
    budget: deps.inFlight,
    tooLarge: (c) =>
      c.json(
        errorBody("PAYLOAD_TOO_LARGE", `the request body exceeds ${maxBytes} bytes (--max-size)`),
        413,
      ),
    busy: (c) =>
      c.json(errorBody("BUSY", "too much mail is being received at once; retry shortly"), 503, {
        "Retry-After": String(BUSY_RETRY_AFTER_SECONDS),
      }),
  });
}
