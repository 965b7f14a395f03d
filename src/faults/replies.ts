/**
 * Default reply texts, with the enhanced status code (RFC 3463) a real MTA would send for the
 * code, so a rule may give only `{ code }`. Codes not listed get a generic text of their class.
 */
const DEFAULT_TEXT: Record<number, string> = {
  421: "4.7.0 Service not available, closing transmission channel",
  450: "4.2.1 Mailbox temporarily unavailable, try again later",
  451: "4.3.0 Local error in processing, try again later",
  452: "4.3.1 Insufficient system storage",
  454: "4.7.0 Temporary authentication failure",
  530: "5.7.0 Authentication required",
  535: "5.7.8 Authentication credentials invalid",
  550: "5.1.1 Mailbox unavailable",
  551: "5.1.6 User not local",
  552: "5.3.4 Message size exceeds fixed maximum message size",
  553: "5.1.3 Mailbox name not allowed",
  554: "5.6.0 Transaction failed",
};

/** The reply of a rate limit rule without its own reply, as Gmail words it. */
export const RATE_LIMIT_REPLY = {
  code: 421,
  message: "4.7.0 Too many messages from this client, try again later",
} as const;

export function defaultReplyText(code: number): string {
  return (
    DEFAULT_TEXT[code] ??
    (code < 500 ? "4.0.0 Temporary failure, try again later" : "5.0.0 Permanent failure")
  );
}
