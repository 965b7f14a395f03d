/**
 * Postmark's answers: `{ To, SubmittedAt, MessageID, ErrorCode: 0, Message: "OK" }` on success
 * and `{ ErrorCode, Message }` with 401/422/429/500/503 on failure
 * (https://postmarkapp.com/developer/api/overview#error-codes). The SDK maps the status and
 * ErrorCode to its error classes (InvalidAPIKeyError, InactiveRecipientsError, …).
 */

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface PostmarkError {
  ErrorCode: number;
  Message: string;
}

export const err = (ErrorCode: number, Message: string): PostmarkError => ({ ErrorCode, Message });

export function errorResponse(
  c: Context,
  status: number,
  error: PostmarkError,
  headers: Record<string, string> = {},
): Response {
  return c.json(error, status as ContentfulStatusCode, headers);
}

export const missingToken = () =>
  err(
    10,
    "No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.",
  );
export const badToken = () =>
  err(
    10,
    "The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.",
  );
export const invalidJson = () => err(402, "Received invalid JSON input.");
export const incompatibleJson = () =>
  err(
    403,
    "The JSON input you provided is syntactically correct, but still not the one we expect.",
  );
export const invalidRequest = (message: string) => err(300, message);
export const senderNotFound = (from: string) =>
  err(
    400,
    `The 'From' address you supplied (${from}) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.`,
  );
export const senderNotConfirmed = (from: string) =>
  err(
    401,
    `The 'From' address you supplied (${from}) is a Sender Signature on your account that has not been confirmed yet. Please confirm it in order to be able to use it in the 'From' field of your messages.`,
  );
export const inactiveRecipients = (addresses: string[]) =>
  err(
    406,
    `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${addresses.join(", ")}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`,
  );
export const accountPending = () =>
  err(
    412,
    "While your account is pending approval, all recipient addresses must share the same domain as the 'From' address.",
  );
/** ErrorCode 405 (https://postmarkapp.com/developer/api/overview#error-codes). */
export const outOfCredits = () =>
  err(405, "Not allowed to send: your account has run out of credits.");
export const tooManyBatchMessages = () =>
  err(410, "Too many batch messages. You may send up to 500 messages per batch.");
export const templateNotFound = () =>
  err(
    1101,
    "The Template's 'TemplateId' or 'TemplateAlias' associated with this request is not valid or was not found.",
  );
export const templateInvalid = (detail: string) =>
  err(1100, `The template could not be rendered: ${detail}`);

const FAULTS: Record<number, PostmarkError> = {
  429: err(429, "Rate limit exceeded. Please slow down your requests."),
  500: err(0, "Internal Server Error"),
  502: err(0, "Bad Gateway"),
  503: err(100, "Maintenance. The Postmark API is offline for maintenance."),
};

export const faultError = (status: number) => FAULTS[status] ?? FAULTS[500];

/** Postmark timestamps carry a local offset, e.g. `2024-01-01T12:00:00.1234567-05:00`; UTC here. */
export const submittedAt = () => new Date().toISOString().replace("Z", "+00:00");
