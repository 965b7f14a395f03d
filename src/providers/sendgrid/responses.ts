/**
 * SendGrid's answers: `202 Accepted` with an empty body and `X-Message-Id`, and errors as
 * `{ errors: [{ message, field, help }] }` (https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors).
 */

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { RateLimitResult } from "../shared/rate-limit.js";

export interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

const DOCS = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";

/** The `help` links SendGrid attaches to mail send validation errors. */
export const HELP = {
  personalizations: `${DOCS}#message.personalizations`,
  to: `${DOCS}#message.personalizations.to`,
  duplicates: `${DOCS}#message.recipient-errors`,
  address: `${DOCS}#message.personalizations`,
  from: `${DOCS}#message.from`,
  subject: `${DOCS}#message.subject`,
  content: `${DOCS}#message.content`,
  attachments: `${DOCS}#message.attachments`,
  categories: `${DOCS}#message.categories`,
  asm: `${DOCS}#message.asm`,
} as const;

export function errorResponse(
  c: Context,
  status: number,
  errors: SendGridError[],
  headers: Record<string, string> = {},
): Response {
  return c.json({ errors }, status as ContentfulStatusCode, headers);
}

export const one = (message: string, field: string | null = null): SendGridError[] => [
  { message, field, help: null },
];

/** No `Authorization` header at all. */
export const authorizationRequired = () => one("authorization required");
/** A key SendGrid does not know. */
export const invalidKey = () =>
  one("The provided authorization grant is invalid, expired, or revoked");
export const unverifiedSender = () =>
  one(
    "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements",
    "from",
  );

const FAULT_MESSAGES: Record<number, string> = {
  429: "too many requests",
  500: "internal server error",
  502: "bad gateway",
  503: "service unavailable",
};

export const faultErrors = (status: number) =>
  one(FAULT_MESSAGES[status] ?? "internal server error");

/** SendGrid reports its rate limit on every response of a limited endpoint. */
export function rateLimitHeaders(limit: RateLimitResult): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(limit.limit),
    "X-RateLimit-Remaining": String(limit.remaining),
    "X-RateLimit-Reset": String(limit.resetAt),
  };
}
