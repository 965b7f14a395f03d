import type { Logger } from "pino";
import { verpRecipient } from "./senders.js";
import type { UserStore } from "./users.js";

/** A reply a user sent to one of the app's emails. */
export interface StoredReply {
  from: string;
  subject: string;
  /** The new text only, without the quoted email (Postmark's StrippedTextReply). */
  text: string;
  receivedAt: Date;
}

/** The fields of Postmark's inbound webhook this app reads (https://postmarkapp.com/developer/webhooks/inbound-webhook). */
export interface PostmarkInbound {
  FromFull: { Email: string };
  ToFull: Array<{ Email: string; MailboxHash: string }>;
  Subject: string;
  TextBody: string;
  StrippedTextReply: string;
  Headers: Array<{ Name: string; Value: string }>;
}

export type InboundOutcome =
  "bounce" | "soft-bounce" | "complaint" | "auto-reply" | "reply" | "unknown-recipient";

/**
 * Mail coming back to the app: a bounce marks the address undeliverable, a spam complaint stops
 * all mail to it, an auto-reply is ignored, anything else is a reply and is stored.
 */
export function createInboundHandler(deps: { users: UserStore; logger: Logger }) {
  const replies: StoredReply[] = [];
  /** What each inbound email was taken for, in arrival order (for the health of the pipeline, and tests). */
  const outcomes: Array<{ outcome: InboundOutcome; from: string; subject: string }> = [];
  const header = (mail: PostmarkInbound, name: string) =>
    mail.Headers.find((h) => h.Name.toLowerCase() === name.toLowerCase())?.Value ?? "";

  const handle = (mail: PostmarkInbound): InboundOutcome => {
    const outcome = classify(mail);
    outcomes.push({ outcome, from: mail.FromFull.Email, subject: mail.Subject });
    return outcome;
  };

  const classify = (mail: PostmarkInbound): InboundOutcome => {
    const contentType = header(mail, "Content-Type").toLowerCase();
    const report = /report-type="?([\w-]+)/.exec(contentType)?.[1] ?? null;
    if (report === "delivery-status" || report === "feedback-report") {
      // The VERP Return-Path the email went out with names the recipient.
      const recipient = verpRecipient(mail.ToFull[0]?.MailboxHash ?? "");
      const user = recipient ? deps.users.byEmail(recipient) : null;
      if (!user) return "unknown-recipient";
      if (report === "feedback-report") {
        user.complained = true;
        deps.logger.warn({ userId: user.id }, "spam complaint: no more mail to this address");
        return "complaint";
      }
      // RFC 3463: 5.x.x is permanent; 4.x.x (mailbox full …) is retried by the sending server.
      if (!/^Status:\s*5\./m.test(mail.TextBody)) return "soft-bounce";
      user.undeliverable = true;
      deps.logger.warn({ userId: user.id }, "hard bounce: address marked undeliverable");
      return "bounce";
    }
    // RFC 3834: out-of-office and other automatic responses are not replies.
    const autoSubmitted = header(mail, "Auto-Submitted").toLowerCase();
    if (autoSubmitted && autoSubmitted !== "no") return "auto-reply";
    replies.push({
      from: mail.FromFull.Email,
      subject: mail.Subject,
      text: mail.StrippedTextReply,
      receivedAt: new Date(),
    });
    return "reply";
  };

  return { handle, replies: () => [...replies], outcomes: () => [...outcomes] };
}

export type InboundHandler = ReturnType<typeof createInboundHandler>;
