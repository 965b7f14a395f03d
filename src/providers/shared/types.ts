/**
 * Shapes shared by every provider mock. A provider's state, its event log entries, webhook
 * delivery attempts and fault rules look the same for SendGrid, Mailgun, Postmark, Resend and
 * SES; only the wire formats (request bodies, error bodies, webhook payloads) differ, and those
 * live in each provider's folder.
 */

import { PROVIDER_NAMES, type ProviderName } from "../../core/types.js";

export { PROVIDER_NAMES, type ProviderName };

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

/**
 * A fault the provider answers with instead of (or before) accepting a send. Deterministic
 * unless `probability` is given.
 */
export interface ProviderFaultRule {
  /** Globs (`*`, `?`, case-insensitive) on the sender address and on any recipient. Both must match when both are given. */
  match?: { from?: string; to?: string };
  /** Answer with this status and the provider's own error body for it. */
  status?: 429 | 500 | 502 | 503;
  /** Seconds for `retry-after` (and the providers' rate-limit reset headers) on a 429. @default 1 */
  retryAfter?: number;
  /** Wait this long before answering (or before accepting, when no status is given). @default 0 */
  delayMs?: number;
  /** Never answer: the request stays open until the client gives up. @default false */
  hang?: boolean;
  /** Fire this many times, then retire. @default unlimited */
  times?: number;
  /** Chance 0..1 that a matching request fires the rule. @default 1 */
  probability?: number;
  /** Seed of this rule's own generator, so `probability` repeats run after run. @default 1 */
  seed?: number;
}

/** A stored template. SendGrid/SES/Mailgun render it with Handlebars, Postmark with its Mustachio dialect. */
export interface ProviderTemplate {
  name: string | null;
  /** Postmark's TemplateAlias. */
  alias: string | null;
  subject: string | null;
  html: string | null;
  text: string | null;
}

/** A DKIM key the provider signs with for a domain. */
export interface DkimKey {
  selector: string;
  /** PEM RSA private key (nodemailer's signer writes `a=rsa-sha256`). */
  privateKey: string;
}

export interface WebhookRetry {
  /** Attempts in total, the first included. @default 5 */
  attempts: number;
  /** Delay before the 2nd attempt; doubles for each later one (exponential backoff). @default 1000 */
  delayMs: number;
}

/** The mock's state for one provider (DESIGN.md "Provider mocks"). */
export interface ProviderState {
  /** Accepted API keys; null accepts any non-empty key. @default null */
  apiKeys: string[] | null;
  /**
   * Readable names of API keys (`{ "<key>": "team-a" }`): the mailbox their messages land in with
   * `--mailbox-by auth`. An unnamed key's mailbox is `<provider>:` and a hash prefix. @default {}
   */
  apiKeyNames: Record<string, string>;
  /** Verified sender addresses or whole domains; null treats every sender as verified. @default null */
  verifiedSenders: string[] | null;
  /**
   * Senders (addresses or domains) added to the account but not yet confirmed: refused like an
   * unverified sender, with the provider's "not confirmed" error where it has one (Postmark 401). @default []
   */
  pendingSenders: string[];
  /** Sandbox account: only recipients listed in `verifiedSenders` (addresses or domains) are allowed. @default false */
  sandbox: boolean;
  /**
   * The account may not send: suspended, paused, or out of credits. Every send is refused in the
   * provider's own words (SendGrid "Maximum credits exceeded", Postmark 405, SES
   * SendingPausedException, Resend daily_quota_exceeded, Mailgun 403). @default false
   */
  paused: boolean;
  /** Suppressed recipient addresses: sends to them are dropped the way the provider drops them. @default [] */
  suppressions: string[];
  /** Requests per second before the provider's 429; null is unlimited. @default null */
  rateLimit: number | null;
  /** Where events are POSTed in the provider's webhook format; null posts nothing. @default null */
  webhookUrl: string | null;
  /** Webhook signing secret (Mailgun signing key, Resend `whsec_…`); null uses a built-in test secret. @default null */
  webhookSecret: string | null;
  /** Retry policy for webhook deliveries that fail (non-2xx or network error). */
  webhookRetry: WebhookRetry;
  /** Provider fault rules, checked in order; the first that fires wins. @default [] */
  faults: ProviderFaultRule[];
  /** Templates by id (or alias). @default {} */
  templates: Record<string, ProviderTemplate>;
  /** DKIM keys by domain. A sender domain listed here is "authenticated"; the provider's own domain may be listed too. @default {} */
  dkim: Record<string, DkimKey>;
  /** The provider's outbound IP the captured message "arrives" from (SPF is evaluated against it). @default null */
  outboundIp: string | null;
}

/** One entry of a provider's event log (`GET /api/providers/:name/events`). */
export interface ProviderEvent {
  /** Unique, time-ordered. */
  id: string;
  provider: ProviderName;
  /** The provider's own event name: `processed`, `delivered`, `Bounce`, `email.delivered`, … */
  type: string;
  /** The id the provider's API returned for the send. */
  providerMessageId: string | null;
  /** The captured message's mailproof id, when a message was captured. */
  messageId: string | null;
  recipient: string | null;
  timestamp: string;
  /** Provider-specific details the webhook payload is built from. */
  data: Record<string, unknown>;
}

export type NewProviderEvent = Omit<ProviderEvent, "id" | "provider" | "timestamp"> & {
  timestamp?: string;
};

/** One HTTP request of a provider's webhook format. */
export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
  /** The logged events this request carries. */
  eventIds: string[];
  /**
   * Signature headers computed afresh for every attempt (a retry carries a current timestamp,
   * as Svix and SendGrid re-sign), merged over `headers`.
   */
  sign?: () => Record<string, string>;
}

/** One logged delivery attempt (`GET /api/providers/:name/webhooks`). */
export interface WebhookAttempt {
  /** Groups the attempts of one delivery. */
  deliveryId: string;
  attempt: number;
  url: string;
  eventIds: string[];
  at: string;
  /** HTTP status, or null when the request failed before a response. */
  status: number | null;
  error: string | null;
  ok: boolean;
  /** When the next attempt is due, or null when there is none. */
  nextAttemptAt: string | null;
}
