/**
 * Turns a Mailgun send into the messages Mailgun would deliver. Without `recipient-variables`
 * one message goes to every recipient; with them Mailgun sends a batch: one message per `to`
 * address, with only that address in To and `%recipient.key%` placeholders filled from its
 * variables (https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending).
 * User variables travel as one `X-Mailgun-Variables: {"key": "value"}` header each.
 */

import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import { recipientAddresses, type MailgunMimeRequest, type MailgunSendRequest } from "./request.js";
import { mailgunReturnPath } from "./ids.js";

export interface MailgunDelivery {
  /** Envelope recipients of this message (to, cc and bcc); events are logged per recipient. */
  recipients: string[];
  /** Mailgun's VERP bounce address for the first recipient. */
  envelopeFrom: string;
  mail: MailComposerOptions;
  variables: Record<string, unknown>;
}

export interface RenderedBody {
  subject: string;
  text: string | null;
  html: string | null;
}

/** Split a send into deliveries; `body` is the request's own body or its rendered template. */
export function composeDeliveries(
  request: MailgunSendRequest,
  domain: string,
  messageId: string,
  body: RenderedBody,
): MailgunDelivery[] {
  const copies = recipientAddresses([...request.cc, ...request.bcc]);
  const units = batchUnits(request);
  return units.map(({ to, vars }) => {
    const fill = (value: string) => substitute(value, vars);
    const variables = Object.fromEntries(
      Object.entries(request.variables).map(([key, value]) => [key, fill(value)]),
    );
    const headers = [
      ...request.headers.map((header) => ({ key: header.name, value: fill(header.value) })),
      ...Object.entries(variables).map(([key, value]) => ({
        key: "X-Mailgun-Variables",
        value: JSON.stringify({ [key]: value }),
      })),
    ];
    const recipients = [...new Set([...recipientAddresses(to), ...copies])];
    return {
      recipients,
      envelopeFrom: mailgunReturnPath(domain, recipients[0] ?? ""),
      variables,
      mail: {
        from: request.from,
        to: to.join(", "),
        cc: request.cc.length > 0 ? request.cc.join(", ") : undefined,
        subject: fill(body.subject),
        text: body.text === null ? undefined : fill(body.text),
        html: body.html === null ? undefined : fill(body.html),
        amp: request.ampHtml === null ? undefined : fill(request.ampHtml),
        messageId: `<${messageId}>`,
        headers,
        attachments: request.attachments.map((attachment) => ({
          filename: attachment.filename,
          content: attachment.content,
          contentType: attachment.contentType ?? undefined,
          // Mailgun references inline images by file name: <img src="cid:logo.png">.
          ...(attachment.inline ? { cid: attachment.filename, contentDisposition: "inline" } : {}),
        })),
      },
    };
  });
}

/** Recipients of a `messages.mime` send: the `to` field decides, not the MIME headers. */
export function mimeRecipients(request: MailgunMimeRequest): string[] {
  return [...new Set(recipientAddresses(request.to))];
}

function batchUnits(
  request: MailgunSendRequest,
): Array<{ to: string[]; vars: Record<string, unknown> | null }> {
  if (!request.recipientVariables) return [{ to: request.to, vars: null }];
  const vars = request.recipientVariables;
  return request.to
    .flatMap((value) => value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/))
    .map((value) => value.trim())
    .filter(Boolean)
    .map((value) => {
      const address = recipientAddresses([value])[0] ?? value;
      const own = vars[address] ?? vars[address.toLowerCase()];
      return {
        to: [value],
        vars: own && typeof own === "object" ? own : {},
      };
    });
}

/** `%recipient.key%` → the recipient's value; unknown keys stay as written, like Mailgun. */
function substitute(value: string, vars: Record<string, unknown> | null): string {
  if (!vars) return value;
  return value.replace(/%recipient\.([A-Za-z0-9_.-]+)%/g, (whole, key: string) => {
    const found = vars[key];
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- JSON values print as String() gives them; a nested object stays "[object Object]" as before
    return found === undefined || found === null ? whole : String(found);
  });
}
