import { MailproofError } from "../core/errors.js";
import { idFloorAfter } from "../core/ids.js";

export function intParam(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new MailproofError("BAD_REQUEST", `"${name}" must be an integer from ${min} to ${max}`);
  }
  return n;
}

const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isMessageId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * `after` for wait: a message id, or an ISO time (messages received strictly later); absent
 * means the moment of the request, so a message arriving in that same millisecond still counts.
 */
export function afterCursor(value: string | undefined, now: number): string {
  if (value === undefined || value === "") return idFloorAfter(now - 1);
  if (isMessageId(value)) return value;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new MailproofError(
      "BAD_REQUEST",
      `"after" must be a message id or an ISO time, not "${value}"`,
    );
  return idFloorAfter(time);
}
