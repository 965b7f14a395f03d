import type { Address, Envelope } from "../core/types.js";

export const MAILBOX_MODES = ["none", "auth", "domain"] as const;
/** `--mailbox-by`: what decides which mailbox a message lands in. */
export type MailboxBy = (typeof MAILBOX_MODES)[number];

/** Every message's mailbox under `--mailbox-by none`, and the fallback when nothing names one. */
export const DEFAULT_MAILBOX = "default";

export interface MailboxFacts {
  envelope: Envelope;
  /** Header recipients, for a message without envelope recipients (an upload without `?to=`). */
  to: Address[];
  /** The provider API key's name (see apiKeyName); SMTP messages carry `envelope.authUser` instead. */
  apiKeyName: string | null;
}

/**
 * The mailbox a captured message belongs to. Names are lower-cased: a mailbox is looked up the
 * way search terms are, case-insensitively, and `Alice` and `alice` must not become two.
 */
export function assignMailbox(mode: MailboxBy, facts: MailboxFacts): string {
  const name =
    mode === "auth"
      ? (facts.apiKeyName ?? facts.envelope.authUser)
      : mode === "domain"
        ? firstRecipientDomain(facts)
        : null;
  return normalizeMailbox(name) ?? DEFAULT_MAILBOX;
}

function firstRecipientDomain({ envelope, to }: MailboxFacts): string | null {
  const first = envelope.rcptTo[0] ?? to[0]?.address;
  const at = first?.lastIndexOf("@") ?? -1;
  return first && at >= 0 ? first.slice(at + 1) : null;
}

/** A mailbox name as stored and searched: trimmed and lower-cased; null when empty. */
export function normalizeMailbox(name: string | null | undefined): string | null {
  const normalized = name?.trim().toLowerCase();
  return normalized ? normalized : null;
}

/** Messages stored before mailboxes existed carry none in their JSON: they are in the default one. */
export function withMailbox<T extends object>(
  stored: T & { mailbox?: string },
): T & { mailbox: string } {
  return { ...stored, mailbox: stored.mailbox ?? DEFAULT_MAILBOX };
}
