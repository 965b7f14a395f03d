/**
 * The sandbox's own limits (--max-size, bytes in flight, tag limits, a full store) as each
 * provider mock answers them: in the provider's error format, so its SDK reads them as it reads
 * the provider's own errors.
 */

import type { Context, MiddlewareHandler } from "hono";
import { isMailproofError } from "../../core/errors.js";
import { BUSY_RETRY_AFTER_SECONDS, type BytesInFlight } from "../../limits/bytes-in-flight.js";
import { receiveBody, requestBodyLimit } from "../../limits/receive-body.js";

type Refusal =
  /** Beyond --max-size: the provider's own "too large" answer. */
  | { kind: "too-large"; message: string }
  /** A temporary condition (bytes in flight, a full store): 503 with Retry-After. */
  | { kind: "busy"; message: string; retryAfter: number }
  /** Input beyond one of our limits (tags): the provider's validation error. */
  | { kind: "invalid"; message: string };

/** What a provider answers for each refusal. */
export type RenderRefusal = (c: Context, refusal: Refusal) => Response;

/** The refusal an error thrown by ingest() stands for; null for a real failure (a 500). */
export function refusalOf(err: unknown): Refusal | null {
  if (!isMailproofError(err) || err.status === 500) return null;
  if (err.code === "PAYLOAD_TOO_LARGE") return { kind: "too-large", message: err.message };
  if (err.status >= 500)
    return { kind: "busy", message: err.message, retryAfter: BUSY_RETRY_AFTER_SECONDS };
  return { kind: "invalid", message: err.message };
}

/**
 * The request body bounded while it arrives by the provider's own request limit or what a
 * --max-size message needs, whichever is smaller, and by the bytes-in-flight budget.
 */
export function providerBody(
  render: RenderRefusal,
  providerLimit: number,
  limits: { maxSize: number; inFlight: BytesInFlight },
): MiddlewareHandler {
  const sandboxLimit = requestBodyLimit(limits.maxSize);
  const maxBytes = Math.min(providerLimit, sandboxLimit);
  const why =
    sandboxLimit < providerLimit ? ` (the sandbox's --max-size is ${limits.maxSize} bytes)` : "";
  return receiveBody({
    maxBytes,
    budget: limits.inFlight,
    tooLarge: (c) =>
      render(c, {
        kind: "too-large",
        message: `The request body exceeds ${maxBytes} bytes${why}.`,
      }),
    busy: (c) =>
      render(c, {
        kind: "busy",
        message: "Too much mail is being received at once; retry shortly.",
        retryAfter: BUSY_RETRY_AFTER_SECONDS,
      }),
  });
}
