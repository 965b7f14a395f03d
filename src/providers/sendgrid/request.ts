/**
 * Decodes and validates a v3 Mail Send body (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send)
 * the way SendGrid does: every problem is reported at once as `{ message, field, help }`
 * (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors), never a 500.
 */

import { isObject } from "../../core/json.js";
import { parseAttachments, parseContent } from "./request-content.js";
import { createFieldReaders, type FieldReaders, type Fail } from "./request-fields.js";
import { parsePersonalizations } from "./request-personalizations.js";
import {
  parseCategories,
  parseSandboxMode,
  parseTracking,
  parseUnsubscribeGroup,
} from "./request-settings.js";
import { HELP, type SendGridError } from "./responses.js";

export interface SgAddress {
  email: string;
  name: string | null;
}

export interface SgPersonalization {
  to: SgAddress[];
  cc: SgAddress[];
  bcc: SgAddress[];
  from: SgAddress | null;
  subject: string | null;
  headers: Record<string, string>;
  substitutions: Record<string, string>;
  customArgs: Record<string, string>;
  dynamicTemplateData: Record<string, unknown>;
}

export interface SgAttachment {
  content: Buffer;
  filename: string;
  type: string | null;
  disposition: "attachment" | "inline";
  contentId: string | null;
}

export interface SgSendRequest {
  personalizations: SgPersonalization[];
  from: SgAddress;
  replyTo: SgAddress[];
  subject: string | null;
  content: Array<{ type: string; value: string }>;
  attachments: SgAttachment[];
  templateId: string | null;
  headers: Record<string, string>;
  categories: string[];
  customArgs: Record<string, string>;
  sandboxMode: boolean;
  /** tracking_settings: click tracking (HTML, and text with enable_text) and open tracking. */
  tracking: { click: boolean; clickText: boolean; open: boolean };
  /** asm.group_id: the unsubscribe group; SendGrid then adds List-Unsubscribe headers. */
  unsubscribeGroup: number | null;
}

/** Every part is read even after a problem, so one response lists them all. */
export function parseSendRequest(
  body: unknown,
): { request: SgSendRequest } | { errors: SendGridError[] } {
  const errors: SendGridError[] = [];
  const fail: Fail = (message, field, help = null) => errors.push({ message, field, help });
  if (!isObject(body)) {
    fail("Bad Request", null);
    return { errors };
  }
  const read = createFieldReaders(fail);

  const templateId = read.optionalString(body.template_id, "template_id");
  const from = parseFrom(body.from, read, fail);
  const personalizations = parsePersonalizations(body.personalizations, read, fail);
  const subject = read.optionalString(body.subject, "subject");
  if (subject === null && !templateId && personalizations.some((p) => p.subject === null)) {
    fail(
      "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
      "subject",
      HELP.subject,
    );
  }
  const content = parseContent(body.content, templateId, fail);
  const attachments = parseAttachments(body.attachments, fail);
  const categories = parseCategories(body.categories, fail);
  const replyTo: SgAddress[] = [];
  const single = read.address(body.reply_to, "reply_to", false);
  if (single) replyTo.push(single);
  replyTo.push(...read.addressList(body.reply_to_list, "reply_to_list"));
  const headers = read.stringMap(body.headers, "headers");
  const customArgs = read.stringMap(body.custom_args, "custom_args");
  const sandboxMode = parseSandboxMode(body.mail_settings);
  const tracking = parseTracking(body.tracking_settings);
  const unsubscribeGroup = parseUnsubscribeGroup(body.asm, fail);

  if (errors.length > 0 || !from) return { errors };
  return {
    request: {
      personalizations,
      from,
      replyTo,
      subject,
      content,
      attachments,
      templateId,
      headers,
      categories,
      customArgs,
      sandboxMode,
      tracking,
      unsubscribeGroup,
    },
  };
}

/** `from` is required; a present but malformed one is reported by the address reader instead. */
function parseFrom(value: unknown, read: FieldReaders, fail: Fail): SgAddress | null {
  if (value === undefined || value === null) {
    fail(
      'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.',
      "from.email",
      HELP.from,
    );
    return null;
  }
  return read.address(value, "from", false);
}
