import nodemailer from "nodemailer";
import { ServerClient } from "postmark";
import type { AppConfig, DkimConfig, MailTransportConfig } from "./config.js";

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: OutgoingAttachment[];
}

export interface SendResult {
  /** The Message-ID (SMTP) or the provider's message id. */
  messageId: string;
  /** The server's reply, for the log. */
  response: string;
}

export type Send = (mail: OutgoingMail) => Promise<SendResult>;

export interface Sender {
  send: Send;
  close(): void;
}

/**
 * VERP (variable envelope return path): each recipient gets its own Return-Path,
 * `bounces+ann=example.com@saas.example`, so a bounce says whom it is about by the address it
 * comes back to, whatever the bounce's body looks like.
 */
export function verpReturnPath(from: string, to: string): string {
  const fromDomain = (from.match(/<([^>]+)>/)?.[1] ?? from).split("@").pop()!.trim();
  return `bounces+${to.trim().replace("@", "=")}@${fromDomain}`;
}

/** The recipient a VERP address stands for (the inverse of `verpReturnPath`), from its "+" part. */
export function verpRecipient(mailboxHash: string): string | null {
  const equals = mailboxHash.lastIndexOf("=");
  return equals > 0 ? `${mailboxHash.slice(0, equals)}@${mailboxHash.slice(equals + 1)}` : null;
}

function smtpSender(
  transport: Extract<MailTransportConfig, { kind: "smtp" }>,
  from: string,
  dkim: DkimConfig | null,
): Sender {
  const transporter = nodemailer.createTransport({
    host: transport.host,
    port: transport.port,
    secure: transport.secure,
    auth: transport.user ? { user: transport.user, pass: transport.password ?? "" } : undefined,
    // A local sandbox presents a self-signed certificate for STARTTLS.
    tls: { rejectUnauthorized: false },
    dkim: dkim ?? undefined,
    connectionTimeout: 10_000,
  });
  return {
    async send(mail) {
      const info = await transporter.sendMail({
        from,
        ...mail,
        envelope: { from: verpReturnPath(from, mail.to), to: mail.to },
      });
      return { messageId: info.messageId, response: info.response };
    },
    close: () => transporter.close(),
  };
}

/** Postmark's official SDK; `apiUrl` may point at mailproof's Postmark mock (http://host:port/postmark). */
function postmarkSender(
  transport: Extract<MailTransportConfig, { kind: "postmark" }>,
  from: string,
): Sender {
  const url = new URL(transport.apiUrl);
  const client = new ServerClient(transport.serverToken, {
    useHttps: url.protocol === "https:",
    requestHost: `${url.host}${url.pathname.replace(/\/+$/, "")}`,
  });
  return {
    async send(mail) {
      const reply = await client.sendEmail({
        From: from,
        To: mail.to,
        Subject: mail.subject,
        TextBody: mail.text,
        HtmlBody: mail.html,
        Attachments: (mail.attachments ?? []).map((a) => ({
          Name: a.filename,
          ContentType: a.contentType,
          Content: a.content.toString("base64"),
          ContentID: null,
        })),
      });
      return { messageId: reply.MessageID, response: `${reply.ErrorCode} ${reply.Message}` };
    },
    close: () => undefined,
  };
}

export function createSender(config: Pick<AppConfig, "transport" | "mailFrom" | "dkim">): Sender {
  return config.transport.kind === "smtp"
    ? smtpSender(config.transport, config.mailFrom, config.dkim)
    : postmarkSender(config.transport, config.mailFrom);
}
