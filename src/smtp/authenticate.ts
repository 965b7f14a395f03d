import { timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import type { SMTPServerAuthentication, SMTPServerSession } from "smtp-server";
import type { Credentials } from "../config/options.js";
import { smtpError } from "./smtp-error.js";

/** `--smtp-auth`: null accepts any credentials; otherwise PLAIN, LOGIN or CRAM-MD5 must match one pair. */
export function authenticate(
  required: Credentials[] | null,
  auth: SMTPServerAuthentication,
  session: SMTPServerSession,
  callback: (err: Error | null | undefined, response?: { user?: unknown }) => void,
  logger: Logger,
): void {
  const user = auth.username ?? "";
  if (required === null) return callback(null, { user });
  const ok = required.some((c) => {
    if (!sameText(c.user, user)) return false;
    if (auth.method === "CRAM-MD5") return auth.validatePassword(c.pass);
    return sameText(c.pass, auth.password ?? "");
  });
  if (ok) return callback(null, { user });
  logger.info({ session: session.id, user, method: auth.method }, "smtp authentication failed");
  callback(smtpError(535, "5.7.8 Authentication credentials invalid"));
}

/** Constant-time comparison, so response timing does not reveal how much of a secret matched. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
