/**
 * The message model shared by every layer. These shapes are the external contract
 * (see DESIGN.md "Message JSON"): camelCase, absent values are `null`, lists are `[]`.
 */

/** The provider APIs mailproof mocks; each is also a message source and a URL prefix (`/sendgrid`). */
export const PROVIDER_NAMES = ["sendgrid", "mailgun", "postmark", "resend", "ses"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Where a message came from; `dsn` is a bounce, complaint or auto-reply mailproof made (round trips). */
export const SOURCE_KINDS = ["smtp", ...PROVIDER_NAMES, "upload", "dsn"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface MessageSource {
  kind: SourceKind;
  providerMessageId: string | null;
}

export interface Envelope {
  mailFrom: string | null;
  rcptTo: string[];
  remoteAddress: string | null;
  helo: string | null;
  secure: boolean;
  authUser: string | null;
  /** MAIL FROM carried SMTPUTF8 (RFC 6531), allowing raw UTF-8 in headers. */
  smtpUtf8?: boolean;
}

export interface Address {
  name: string | null;
  address: string;
}

export interface Header {
  name: string;
  value: string;
}

export interface AttachmentInfo {
  id: string;
  filename: string | null;
  contentType: string;
  /** Decoded bytes. */
  size: number;
  contentId: string | null;
  inline: boolean;
}

/** RFC 8601 result words. */
export type AuthResult =
  "pass" | "fail" | "softfail" | "neutral" | "none" | "temperror" | "permerror" | "policy";

export interface DkimVerdict {
  domain: string;
  selector: string;
  result: AuthResult;
  aligned: boolean;
  /** Why the result is what it is (e.g. "body hash did not verify"). */
  comment?: string | null;
  /** e.g. "rsa-sha256", "ed25519-sha256". */
  algorithm?: string | null;
  /** header/body canonicalization, e.g. "relaxed/simple". */
  canonicalization?: string | null;
}

export interface SpfVerdict {
  result: AuthResult;
  domain: string | null;
  ip: string | null;
  comment?: string | null;
  /** The SPF record evaluated. */
  record?: string | null;
  /** DNS-querying mechanisms counted against the limit of 10, and void lookups (RFC 7208 §4.6.4). */
  lookups?: { count: number; void: number } | null;
}

export interface DmarcVerdict {
  result: AuthResult;
  policy: string | null;
  domain: string | null;
  alignment: { dkim: boolean; spf: boolean };
  comment?: string | null;
  /** adkim / aspf of the record (RFC 7489 §3.1). */
  alignmentMode?: { dkim: "relaxed" | "strict"; spf: "relaxed" | "strict" } | null;
  /** The record's `sp=`, which `policy` is taken from for a subdomain of the record's domain. */
  subdomainPolicy?: string | null;
  /** The DMARC record found (at the From domain or its organizational domain). */
  record?: string | null;
}

export interface AuthAnalysis {
  dkim: DkimVerdict[];
  spf: SpfVerdict | null;
  dmarc: DmarcVerdict | null;
  arc: { result: AuthResult; comment?: string | null; instance?: number | null } | null;
  /** The Authentication-Results header text mailauth produced. */
  authenticationResults?: string | null;
}

export type LinkKind = "reset" | "verify" | "login" | "unsubscribe" | "other";
export type CheckStatus = "pass" | "warn" | "fail";

export interface LinkCheck {
  rule: string;
  status: CheckStatus;
  message: string;
}

export interface LinkInfo {
  url: string;
  text: string | null;
  kind: LinkKind;
  host: string | null;
  https: boolean;
  checks: LinkCheck[];
  /** Where the link was found. */
  foundIn?: Array<"html" | "text" | "header">;
  /** Filled by the opt-in live check. */
  live?: {
    status: number | null;
    redirects: string[];
    error: string | null;
    checkedAt: string;
  } | null;
}

export type Severity = "error" | "warning" | "info";

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
}

export interface ReceiverVerdict {
  name: "gmail" | "yahoo" | "outlook";
  verdict: "accept" | "spam-risk" | "reject";
  reasons: string[];
}

export interface Analysis {
  status: "pending" | "done";
  auth: AuthAnalysis | null;
  links: LinkInfo[];
  codes: string[];
  findings: Finding[];
  receivers: ReceiverVerdict[];
  /** Email-client HTML compatibility report (caniemail), when the message has HTML. */
  compatibility?: unknown;
  /** SpamAssassin report, when spamd is configured. */
  spam?: unknown;
}

export interface Message {
  id: string;
  receivedAt: string;
  source: MessageSource;
  envelope: Envelope;
  messageId: string | null;
  date: string | null;
  subject: string | null;
  from: Address | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  headers: Header[];
  text: string | null;
  html: string | null;
  attachments: AttachmentInfo[];
  /**
   * Why the MIME parser gave up on this message (a crafted structure, its time budget), in
   * which case only the header fields were read; null when it parsed.
   */
  parseError: string | null;
  size: number;
  tags: string[];
  /** Who the message belongs to under `--mailbox-by`; "default" otherwise (see docs/mailboxes.md). */
  mailbox: string;
  read: boolean;
  analysis: Analysis;
}

export interface MessageSummary {
  id: string;
  receivedAt: string;
  source: MessageSource;
  from: Address | null;
  to: Address[];
  subject: string | null;
  size: number;
  attachmentCount: number;
  tags: string[];
  mailbox: string;
  read: boolean;
  snippet: string;
  dmarc: AuthResult | null;
  findingCount: number;
}

export function emptyAnalysis(status: Analysis["status"] = "pending"): Analysis {
  return { status, auth: null, links: [], codes: [], findings: [], receivers: [] };
}
