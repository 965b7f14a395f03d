/**
 * Decodes and validates a v3 Mail Send body (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send)
 * the way SendGrid does: every problem is reported at once as `{ message, field, help }`
 * (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors), never a 500.
 */

import { HELP, type SendGridError } from "./responses.js";
import { isObject } from "../../core/json.js";

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

interface SgAttachment {
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

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

export function parseSendRequest(
  body: unknown,
): { request: SgSendRequest } | { errors: SendGridError[] } {
  const errors: SendGridError[] = [];
  const fail = (message: string, field: string | null, help: string | null = null) =>
    errors.push({ message, field, help });
  if (!isObject(body)) {
    fail("Bad Request", null);
    return { errors };
  }

  const address = (value: unknown, field: string, required: boolean): SgAddress | null => {
    if (value === undefined || value === null) {
      if (required) fail("The email parameter is required.", `${field}.email`, HELP.address);
      return null;
    }
    if (!isObject(value) || typeof value.email !== "string") {
      fail("The email parameter is required.", `${field}.email`, HELP.address);
      return null;
    }
    if (!EMAIL.test(value.email.trim()))
      fail("Does not contain a valid address.", `${field}.email`, HELP.address);
    if (value.name !== undefined && value.name !== null && typeof value.name !== "string")
      fail("Invalid type. Expected: string, given: " + jsonType(value.name) + ".", `${field}.name`);
    return {
      email: value.email.trim(),
      name: typeof value.name === "string" && value.name ? value.name : null,
    };
  };
  const addressList = (value: unknown, field: string): SgAddress[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      fail(`Invalid type. Expected: array, given: ${jsonType(value)}.`, field);
      return [];
    }
    return value
      .map((v, i) => address(v, `${field}.${i}`, true))
      .filter((a): a is SgAddress => a !== null);
  };
  const stringMap = (value: unknown, field: string): Record<string, string> => {
    if (value === undefined || value === null) return {};
    if (!isObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
      fail(`Invalid type. Expected: object of strings, given: ${jsonType(value)}.`, field);
      return {};
    }
    return value as Record<string, string>;
  };
  const optionalString = (value: unknown, field: string): string | null => {
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") {
      fail(`Invalid type. Expected: string, given: ${jsonType(value)}.`, field);
      return null;
    }
    return value;
  };

  const templateId = optionalString(body.template_id, "template_id");
  const from = address(body.from, "from", false);
  if (!from && !errors.some((e) => e.field === "from.email")) {
    fail(
      'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.',
      "from.email",
      HELP.from,
    );
  }

  const personalizations: SgPersonalization[] = [];
  if (!Array.isArray(body.personalizations) || body.personalizations.length === 0) {
    fail(
      "The personalizations field is required and must have at least 1 personalization.",
      "personalizations",
      HELP.personalizations,
    );
  } else if (body.personalizations.length > 1000) {
    fail(
      `The personalization block is limited to 1000 personalizations per API request. You have provided ${body.personalizations.length} personalizations. Please consider splitting this into multiple requests and resending your request.`,
      "personalizations",
      HELP.personalizations,
    );
  } else {
    body.personalizations.forEach((raw: unknown, i: number) => {
      const field = `personalizations.${i}`;
      if (!isObject(raw)) {
        fail(`Invalid type. Expected: object, given: ${jsonType(raw)}.`, field);
        return;
      }
      if (!Array.isArray(raw.to) || raw.to.length === 0) {
        fail(
          "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
          `${field}.to`,
          HELP.to,
        );
      }
      const p: SgPersonalization = {
        to: addressList(raw.to, `${field}.to`),
        cc: addressList(raw.cc, `${field}.cc`),
        bcc: addressList(raw.bcc, `${field}.bcc`),
        from: address(raw.from, `${field}.from`, false),
        subject: optionalString(raw.subject, `${field}.subject`),
        headers: stringMap(raw.headers, `${field}.headers`),
        substitutions: stringMap(raw.substitutions, `${field}.substitutions`),
        customArgs: stringMap(raw.custom_args, `${field}.custom_args`),
        dynamicTemplateData: isObject(raw.dynamic_template_data) ? raw.dynamic_template_data : {},
      };
      const seen = new Set<string>();
      for (const kind of ["to", "cc", "bcc"] as const) {
        for (const a of p[kind]) {
          const key = a.email.toLowerCase();
          if (seen.has(key)) {
            fail(
              `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${a.email}] in the ${field}.${kind} field.`,
              field,
              HELP.duplicates,
            );
          }
          seen.add(key);
        }
      }
      personalizations.push(p);
    });
  }

  const subject = optionalString(body.subject, "subject");
  if (subject === null && !templateId && personalizations.some((p) => p.subject === null)) {
    fail(
      "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
      "subject",
      HELP.subject,
    );
  }

  const content: SgSendRequest["content"] = [];
  if (body.content !== undefined && !Array.isArray(body.content)) {
    fail(`Invalid type. Expected: array, given: ${jsonType(body.content)}.`, "content");
  } else if (Array.isArray(body.content)) {
    body.content.forEach((c: unknown, i: number) => {
      if (!isObject(c) || typeof c.type !== "string" || c.type === "") {
        fail(
          "The content type must be a string at least one character in length.",
          `content.${i}.type`,
          HELP.content,
        );
      } else if (typeof c.value !== "string" || c.value === "") {
        fail(
          "The content value must be a string at least one character in length.",
          `content.${i}.value`,
          HELP.content,
        );
      } else {
        content.push({ type: c.type, value: c.value });
      }
    });
  }
  if (!templateId && (!Array.isArray(body.content) || body.content.length === 0)) {
    fail(
      "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
      "content",
      HELP.content,
    );
  }

  const attachments: SgAttachment[] = [];
  if (Array.isArray(body.attachments)) {
    body.attachments.forEach((a: unknown, i: number) => {
      const field = `attachments.${i}`;
      if (!isObject(a) || typeof a.content !== "string" || a.content === "") {
        fail("The attachment content is required.", `${field}.content`, HELP.attachments);
        return;
      }
      if (!BASE64.test(a.content)) {
        fail(
          "The attachment content must be base64 encoded.",
          `${field}.content`,
          HELP.attachments,
        );
        return;
      }
      if (typeof a.filename !== "string" || a.filename === "") {
        fail(
          "The attachment filename parameter is required.",
          `${field}.filename`,
          HELP.attachments,
        );
        return;
      }
      const disposition = a.disposition === "inline" ? "inline" : "attachment";
      if (disposition === "inline" && typeof a.content_id !== "string") {
        // The Node SDK sends `contentId` unconverted (sendgrid-nodejs#841, #1080): SendGrid refuses it like this.
        fail(
          "The content_id parameter is required if disposition = 'inline'.",
          `${field}.content_id`,
          `${HELP.attachments}.content_id`,
        );
        return;
      }
      attachments.push({
        content: Buffer.from(a.content, "base64"),
        filename: a.filename,
        type: typeof a.type === "string" ? a.type : null,
        disposition,
        contentId: typeof a.content_id === "string" ? a.content_id : null,
      });
    });
  } else if (body.attachments !== undefined) {
    fail(`Invalid type. Expected: array, given: ${jsonType(body.attachments)}.`, "attachments");
  }

  const categories: string[] = [];
  if (body.categories !== undefined) {
    if (!Array.isArray(body.categories) || !body.categories.every((c) => typeof c === "string")) {
      fail("The categories parameter must be an array of strings.", "categories", HELP.categories);
    } else if (body.categories.length > 10) {
      fail("You may not have more than 10 categories per request.", "categories", HELP.categories);
    } else {
      categories.push(...body.categories);
    }
  }

  const replyTo: SgAddress[] = [];
  const single = address(body.reply_to, "reply_to", false);
  if (single) replyTo.push(single);
  replyTo.push(...addressList(body.reply_to_list, "reply_to_list"));

  const headers = stringMap(body.headers, "headers");
  const customArgs = stringMap(body.custom_args, "custom_args");
  const mailSettings = isObject(body.mail_settings) ? body.mail_settings : {};
  const sandboxMode =
    isObject(mailSettings.sandbox_mode) && mailSettings.sandbox_mode.enable === true;

  const trackingSettings = isObject(body.tracking_settings) ? body.tracking_settings : {};
  const enabled = (setting: unknown, key = "enable") => isObject(setting) && setting[key] === true;
  const tracking = {
    click: enabled(trackingSettings.click_tracking),
    clickText:
      enabled(trackingSettings.click_tracking) &&
      enabled(trackingSettings.click_tracking, "enable_text"),
    open: enabled(trackingSettings.open_tracking),
  };
  let unsubscribeGroup: number | null = null;
  if (body.asm !== undefined && body.asm !== null) {
    if (!isObject(body.asm) || !Number.isInteger(body.asm.group_id))
      fail("The asm group_id must be an integer.", "asm.group_id", HELP.asm);
    else unsubscribeGroup = body.asm.group_id as number;
  }

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

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
