/**
 * Resend's answers: `{ id }` on success and `{ statusCode, message, name }` on failure
 * (https://resend.com/docs/api-reference/errors), with the `ratelimit-*` headers on limited
 * responses and `retry-after` on a 429 (https://resend.com/docs/api-reference/rate-limit).
 */

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { RateLimitResult } from "../shared/rate-limit.js";

export interface ResendError {
  statusCode: number;
  message: string;
  name: string;
}

export const err = (statusCode: number, name: string, message: string): ResendError => ({
  statusCode,
  message,
  name,
});

export function errorResponse(
  c: Context,
  error: ResendError,
  headers: Record<string, string> = {},
): Response {
  return c.json(error, error.statusCode as ContentfulStatusCode, headers);
}

export const missingApiKey = () =>
  err(401, "missing_api_key", "Missing API key in the authorization header.");
export const invalidApiKey = () => err(403, "invalid_api_key", "API key is invalid");
export const invalidJson = () =>
  err(400, "validation_error", "The request body must be valid JSON.");
export const validation = (message: string) => err(422, "validation_error", message);
export const missingField = (field: string) =>
  err(422, "missing_required_field", `Missing \`${field}\` field.`);
export const unverifiedDomain = (domain: string) =>
  err(
    403,
    "validation_error",
    `The ${domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains`,
  );
export const testingOnly = (owner: string) =>
  err(
    403,
    "validation_error",
    `You can only send testing emails to your own email address (${owner}). To send emails to other recipients, please verify a domain at resend.com/domains, and change the \`from\` address to an email using this domain.`,
  );
/** A quota, not a rate limit: retrying does not help until the day turns (https://resend.com/docs/api-reference/errors). */
export const quotaExceeded = () =>
  err(429, "daily_quota_exceeded", "You have reached your daily email sending quota.");
export const emailNotFound = () => err(404, "not_found", "Email not found");
export const templateNotFound = () => err(404, "not_found", "Template not found");
export const invalidId = () => err(422, "invalid_parameter", "The `id` must be a valid UUID.");
export const idempotencyConflict = () =>
  err(
    409,
    "invalid_idempotent_request",
    "Same idempotency key used with a different request payload.",
  );
export const notFoundRoute = () => err(404, "not_found", "The requested endpoint does not exist.");

export function rateLimited(limit: number): ResendError {
  return err(
    429,
    "rate_limit_exceeded",
    `Too many requests. You can only make ${limit} requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.`,
  );
}

const FAULTS: Record<number, ResendError> = {
  500: err(500, "internal_server_error", "An unexpected error occurred."),
  502: err(
    502,
    "application_error",
    "Internal server error. We are unable to process your request right now, please try again later.",
  ),
  503: err(
    503,
    "application_error",
    "Internal server error. We are unable to process your request right now, please try again later.",
  ),
};

export const faultError = (status: number, limit: number) =>
  status === 429 ? rateLimited(limit) : (FAULTS[status] ?? FAULTS[500]);

export function rateLimitHeaders(limit: RateLimitResult): Record<string, string> {
  return {
    "ratelimit-limit": String(limit.limit),
    "ratelimit-remaining": String(limit.remaining),
    "ratelimit-reset": String(limit.resetSeconds),
  };
}
