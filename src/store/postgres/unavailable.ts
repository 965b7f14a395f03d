import { MailproofError } from "../../core/errors.js";
import type { Store } from "../store.js";

/** Socket errors of a database that is down, restarting or unreachable. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);
/**
 * SQLSTATEs that mean "not now" rather than "wrong request" (PostgreSQL Appendix A): class 08
 * connection exception, 53300 too_many_connections, 57P01–57P03 shutdown / cannot connect now.
 */
const TRANSIENT_SQLSTATE = /^(08|53300|57P0[123])/;

function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATE.test(code)))
    return true;
  // node-postgres reports a connection lost mid-query by message only.
  return err instanceof Error && /Connection terminated|connection timeout/i.test(err.message);
}

/**
 * Turns "the database is unreachable" into UNAVAILABLE (HTTP 503; SMTP answers a 4xx, so
 * senders retry) instead of an internal error, keeping the driver's error as the cause.
 */
export function withUnavailable(store: Store): Store {
  const wrapped: Record<string, unknown> = { kind: store.kind };
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== "function") continue;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (value as (...a: unknown[]) => Promise<unknown>).apply(store, args);
      } catch (err) {
        if (isUnavailable(err))
          throw new MailproofError(
            "UNAVAILABLE",
            `the PostgreSQL database is unavailable: ${(err as Error).message}`,
            { cause: err },
          );
        throw err;
      }
    };
  }
  return wrapped as unknown as Store;
}
