/**
 * SMTP fault rules (DESIGN.md "Faults"). A rule is deterministic unless it has a `probability`,
 * and even then it draws from a seeded generator, so the same run of the same client repeats.
 */

export const FAULT_STAGES = ["connect", "tls", "auth", "mail", "rcpt", "data"] as const;
export type FaultStage = (typeof FAULT_STAGES)[number];

export interface FaultMatch {
  /** Glob on the MAIL FROM address (`*` any run, `?` one character, case-insensitive). */
  from?: string;
  /** Glob on a RCPT TO address; at `data` any recipient of the transaction may match. */
  to?: string;
  /** Glob on the AUTH user name (the name being tried, at the `auth` stage). */
  user?: string;
}

export interface FaultReply {
  /** SMTP reply code, 400–599. */
  code: number;
  /** Reply text; may start with an enhanced status code (RFC 3463) such as `4.7.0`. */
  message: string;
}

export const TLS_CERTIFICATES = ["expired", "wrong-name", "untrusted"] as const;
export const STARTTLS_MODES = ["refuse", "absent", "require"] as const;
export const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** A transport fault (stage `tls`), decided once per connection. */
export interface TlsFault {
  /** The certificate presented instead of the sandbox's own: expired or wrong-name (signed by the sandbox's test CA), or untrusted (self-signed). */
  certificate?: (typeof TLS_CERTIFICATES)[number];
  /** STARTTLS answered 454 (refuse), not offered (absent), or required before MAIL/RCPT/DATA/AUTH (require: 530). */
  starttls?: (typeof STARTTLS_MODES)[number];
  /** The protocol versions the handshake accepts, e.g. ["TLSv1.2"]. */
  versions?: TlsVersion[];
}

/** Per-client rate limit: beyond `messages` accepted messages within `windowMs`, MAIL FROM gets the reply. */
export interface RateLimit {
  messages: number;
  /** @default 60000 (a minute) */
  windowMs?: number;
}

export interface FaultRule {
  stage: FaultStage;
  match?: FaultMatch;
  /** The reply sent instead of the normal one. Default: none (only the delay or the disconnect). */
  reply?: FaultReply;
  /** Waits this long before answering (or dropping): slow servers trip client timeouts. */
  delayMs?: number;
  /** Drops the connection instead of answering (mid-command; at `data`, mid-message). */
  disconnect?: boolean;
  /** Fires this many times, then retires (greylisting, transient 4xx). Default: for ever. */
  times?: number;
  /** Chance 0..1 that the rule fires when it matches. @default 1 */
  probability?: number;
  /** Seed of this rule's random generator, so `probability` repeats run after run. @default 1 */
  seed?: number;
  /** Stage `tls`: the transport fault. */
  tls?: TlsFault;
  /** Makes this a rate limit rule (stage `mail`): see RateLimit. */
  rateLimit?: RateLimit;
}

/** What a session knows when a stage is reached; absent values are null. */
export interface FaultContext {
  /** Client IP: rate limits count per client. */
  remoteAddress: string;
  from: string | null;
  /** The recipient at `rcpt`; every accepted recipient at `data`. */
  to: string[];
  user: string | null;
}

/** A rule that fired: what the session must do. */
export interface FaultAction {
  /** Position of the rule in the rule list. */
  index: number;
  rule: FaultRule;
  stage: FaultStage;
  reply: FaultReply | null;
  delayMs: number;
  disconnect: boolean;
}
