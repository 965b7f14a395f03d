import type { Context, MiddlewareHandler } from "hono";
import { createReservation, type BytesInFlight } from "./bytes-in-flight.js";

interface ReceiveBodyOptions {
  /** Largest body accepted, counted while it arrives. */
  maxBytes: number;
  /** Shared with SMTP: the bytes of every message being received at once. */
  budget: BytesInFlight;
  /** The answer to a body over `maxBytes` (the provider's own error, or ours). */
  tooLarge(c: Context): Response | Promise<Response>;
  /** The answer when the budget has no room for this body: a 503 with Retry-After. */
  busy(c: Context): Response | Promise<Response>;
}

/**
 * Reads an ingestion request's body while counting it against its size limit and the shared
 * bytes-in-flight budget, and keeps its bytes reserved until the route has answered (the
 * message is committed or refused by then). A declared Content-Length is judged before a byte
 * is read, so a refused sender does not upload first.
 */
export function receiveBody(options: ReceiveBodyOptions): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const lengthHeader = c.req.header("content-length");
    const length =
      lengthHeader !== undefined && !c.req.header("transfer-encoding") ? Number(lengthHeader) : NaN;
    const declared = Number.isSafeInteger(length) && length >= 0 ? length : null;
    if (declared !== null && declared > options.maxBytes) return options.tooLarge(c);
    const reservation = createReservation(options.budget);
    try {
      if (declared !== null && !reservation.add(declared)) return options.busy(c);
      const chunks: Uint8Array[] = [];
      let size = 0;
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > options.maxBytes) return options.tooLarge(c);
        if (declared === null && !reservation.add(value.length)) return options.busy(c);
        chunks.push(value);
      }
      c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks, size) });
      await next();
    } finally {
      reservation.release();
    }
  };
}

/**
 * The largest request body that can carry a `maxSize` message: providers and Mailpit's send API
 * carry attachments base64-encoded in JSON (4/3 of their size), plus room for the other fields.
 */
export function requestBodyLimit(maxSize: number): number {
  return Math.ceil((maxSize * 4) / 3) + 1024 * 1024;
}
