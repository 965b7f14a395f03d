/**
 * One error class for the whole code base. The `code` is stable (clients switch on it);
 * `status` is the HTTP status the API answers with; `smtpCode` the SMTP reply code when the
 * error surfaces in an SMTP session (smtp-server reads `responseCode`).
 */

const catalogue = {
  BAD_REQUEST: { status: 400, smtpCode: 501 },
  BAD_QUERY: { status: 400, smtpCode: 501 },
  INVALID_JSON: { status: 400, smtpCode: 501 },
  UNAUTHORIZED: { status: 401, smtpCode: 535 },
  FORBIDDEN: { status: 403, smtpCode: 550 },
  NOT_FOUND: { status: 404, smtpCode: 550 },
  TIMEOUT: { status: 408, smtpCode: 451 },
  CONFLICT: { status: 409, smtpCode: 451 },
  PAYLOAD_TOO_LARGE: { status: 413, smtpCode: 552 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, smtpCode: 554 },
  UNPROCESSABLE: { status: 422, smtpCode: 554 },
  TAG_LIMIT: { status: 400, smtpCode: 554 },
  STORE_FAILED: { status: 500, smtpCode: 451 },
  INTERNAL: { status: 500, smtpCode: 451 },
  CONFIG_INVALID: { status: 500, smtpCode: 451 },
  /** The sandbox could not start: a port taken, a database it cannot open, a TLS pair that does not load. */
  START_FAILED: { status: 500, smtpCode: 421 },
  UNAVAILABLE: { status: 503, smtpCode: 421 },
  RELAY_FAILED: { status: 502, smtpCode: 451 },
  // RFC 3463 4.3.1 "mail system full": the sender keeps the message and retries later.
  BUSY: { status: 503, smtpCode: 452 },
  STORAGE_FULL: { status: 507, smtpCode: 452 },
  STORE_CORRUPT: { status: 500, smtpCode: 451 },
} as const;

export type ErrorCode = keyof typeof catalogue;

export class MailproofError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly smtpCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MailproofError";
    this.code = code;
    this.status = catalogue[code].status;
    this.smtpCode = catalogue[code].smtpCode;
  }

  /** smtp-server reads `responseCode` off errors passed to its callbacks. */
  get responseCode(): number {
    return this.smtpCode;
  }
}

export function isMailproofError(value: unknown): value is MailproofError {
  return value instanceof MailproofError;
}
