import type { MessageSummary } from "../core/types.js";

/**
 * Every failure the client reports. `code` is the server's error code (`NOT_FOUND`,
 * `BAD_QUERY`, …) when the server answered, or a client code (`NETWORK`, `TIMEOUT`,
 * `NO_LINK`, `NO_CODE`, `NO_ATTACHMENT`); `status` is the HTTP status when there was one.
 */
export class MailproofClientError extends Error {
  readonly code: string;
  readonly status: number | null;

  constructor(
    code: string,
    message: string,
    options: { status?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MailproofClientError";
    this.code = code;
    this.status = options.status ?? null;
  }
}

/**
 * `waitFor` gave up. `arrived` holds what did arrive for the waited address (or, without one,
 * for the rest of the query), newest first: the first thing to look at when a test goes red.
 */
export class MailproofTimeoutError extends MailproofClientError {
  readonly arrived: MessageSummary[];
  readonly query: string;

  constructor(message: string, details: { query: string; arrived: MessageSummary[] }) {
    super("TIMEOUT", message, { status: 408 });
    this.name = "MailproofTimeoutError";
    this.arrived = details.arrived;
    this.query = details.query;
  }
}
