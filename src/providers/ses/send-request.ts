/**
 * One SES send, whichever API generation asked for it. v2 `SendEmail` and v1 `SendEmail`,
 * `SendRawEmail` and `SendTemplatedEmail` all decode into this shape, so the checks, the MIME
 * building and the notifications are written once.
 */

export interface SesHeader {
  name: string;
  value: string;
}

export interface SesAttachment {
  filename: string;
  content: Buffer;
  contentType: string | null;
  disposition: "attachment" | "inline";
  contentId: string | null;
  description: string | null;
}

export type SesContent =
  | {
      kind: "simple";
      subject: string;
      text: string | null;
      html: string | null;
      headers: SesHeader[];
      attachments: SesAttachment[];
    }
  | { kind: "raw"; data: Buffer }
  | {
      kind: "template";
      /** Stored template name; null when the content is given inline (v2 `TemplateContent`). */
      name: string | null;
      inline: { subject: string; text: string | null; html: string | null } | null;
      data: string;
      headers: SesHeader[];
      attachments: SesAttachment[];
    };

export interface SesDestination {
  to: string[];
  cc: string[];
  bcc: string[];
}

export interface SesSendRequest {
  api: "v1" | "v2";
  /** The v1 action or "SendEmail" for v2; names the XML result element. */
  action: "SendEmail" | "SendRawEmail" | "SendTemplatedEmail";
  from: string | null;
  /** null: take recipients from the raw message's headers (Raw content only). */
  destination: SesDestination | null;
  replyTo: string[];
  returnPath: string | null;
  tags: Array<{ name: string; value: string }>;
  configurationSet: string | null;
  content: SesContent;
}

/** Recipients of every kind, in order, without duplicates. */
export function allRecipients(destination: SesDestination): string[] {
  return [...new Set([...destination.to, ...destination.cc, ...destination.bcc])];
}
