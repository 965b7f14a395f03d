/**
 * Decodes one Resend email (`POST /emails`, each entry of `/emails/batch`) into a checked
 * shape, or the Resend error for it (https://resend.com/docs/api-reference/emails/send-email):
 * missing fields are 422 `missing_required_field`, bad values 422 `validation_error`.
 */

import addressparser from "nodemailer/lib/addressparser";
import * as res from "./responses.js";
import { isObject } from "../../core/json.js";

interface ReAttachment {
  filename: string;
  content: Buffer;
  contentType: string | null;
  contentId: string | null;
}

export interface ReEmail {
  /** Addresses as given (`Name <a@b>` or `a@b`); `fromAddress` is the bare sender. */
  from: string;
  fromAddress: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  attachments: ReAttachment[];
  tags: Array<{ name: string; value: string }>;
  scheduledAt: string | null;
  template: { id: string; variables: Record<string, unknown> } | null;
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const MAX_RECIPIENTS = 50;

class Invalid extends Error {
  constructor(readonly error: res.ResendError) {
    super(error.message);
  }
}

export function parseEmail(
  value: unknown,
  options: { batch: boolean },
): { email: ReEmail } | { error: res.ResendError } {
  try {
    return { email: decode(value, options.batch) };
  } catch (e) {
    if (e instanceof Invalid) return { error: e.error };
    throw e;
  }
}

function decode(value: unknown, batch: boolean): ReEmail {
  if (!isObject(value))
    throw new Invalid(res.validation("The request body must be a JSON object."));
  if (value.from === undefined || value.from === null || value.from === "")
    throw new Invalid(res.missingField("from"));
  if (typeof value.from !== "string")
    throw new Invalid(
      res.validation(
        "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
      ),
    );
  const fromAddress = parseAddresses("from", value.from)[0];
  if (
    value.to === undefined ||
    value.to === null ||
    (Array.isArray(value.to) && value.to.length === 0)
  )
    throw new Invalid(res.missingField("to"));
  const to = addressList("to", value.to);
  const cc = addressList("cc", value.cc);
  const bcc = addressList("bcc", value.bcc);
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS)
    throw new Invalid(res.validation("Too many recipients. The maximum is 50."));

  let template: ReEmail["template"] = null;
  if (value.template !== undefined && value.template !== null) {
    if (!isObject(value.template) || typeof value.template.id !== "string")
      throw new Invalid(
        res.validation("Invalid `template` field. It must be an object with an `id`."),
      );
    const variables = value.template.variables ?? {};
    if (!isObject(variables))
      throw new Invalid(
        res.validation("Invalid `template.variables` field. It must be an object."),
      );
    template = { id: value.template.id, variables };
  }
  const subject = optionalString("subject", value.subject);
  if (subject === null && !template) throw new Invalid(res.missingField("subject"));
  const html = optionalString("html", value.html);
  const text = optionalString("text", value.text);
  if (html === null && text === null && !template)
    throw new Invalid(res.validation("Missing `html` or `text` field."));

  const headers: Record<string, string> = {};
  if (value.headers !== undefined && value.headers !== null) {
    if (
      !isObject(value.headers) ||
      !Object.values(value.headers).every((v) => typeof v === "string")
    ) {
      throw new Invalid(
        res.validation("Invalid `headers` field. It must be an object of string values."),
      );
    }
    Object.assign(headers, value.headers);
  }
  const attachments = list("attachments", value.attachments).map((a, i) => {
    if (batch) throw new Invalid(res.validation("Attachments are not supported in batch emails."));
    if (!isObject(a)) throw new Invalid(err422Attachment(`Invalid \`attachments[${i}]\`.`));
    if (typeof a.content !== "string") {
      // mailproof never fetches remote `path` URLs: nothing leaves the machine.
      throw new Invalid(
        err422Attachment(
          a.path
            ? "Attachment `path` URLs are not fetched by mailproof; send the file as `content`."
            : "Attachment must have either a `content` or `path`.",
        ),
      );
    }
    return {
      filename: typeof a.filename === "string" && a.filename ? a.filename : `attachment-${i + 1}`,
      content: Buffer.from(a.content, "base64"),
      contentType: typeof a.content_type === "string" ? a.content_type : null,
      contentId: typeof a.content_id === "string" ? a.content_id : null,
    };
  });
  const tags = list("tags", value.tags).map((t) => {
    if (
      !isObject(t) ||
      typeof t.name !== "string" ||
      typeof t.value !== "string" ||
      !TAG.test(t.name) ||
      !TAG.test(t.value)
    ) {
      throw new Invalid(
        res.validation(
          "Tags should only contain ASCII letters (a–z, A–Z), numbers (0–9), underscores (_), or dashes (-).",
        ),
      );
    }
    return { name: t.name, value: t.value };
  });
  const scheduledAt = optionalString("scheduled_at", value.scheduled_at);
  if (scheduledAt !== null && batch)
    throw new Invalid(res.validation("`scheduled_at` is not supported in batch emails."));

  return {
    from: value.from,
    fromAddress,
    to,
    cc,
    bcc,
    replyTo: addressList("reply_to", value.reply_to),
    subject: subject ?? "",
    html,
    text,
    headers,
    attachments,
    tags,
    scheduledAt,
    template,
  };
}

const err422Attachment = (message: string) => res.err(422, "invalid_attachment", message);

function optionalString(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string")
    throw new Invalid(res.validation(`Invalid \`${field}\` field. It must be a string.`));
  return value;
}

function list(field: string, value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new Invalid(res.validation(`Invalid \`${field}\` field. It must be an array.`));
  return value;
}

/** `to`, `cc`, `bcc`, `reply_to`: a string or an array of strings, each `a@b` or `Name <a@b>`. */
function addressList(field: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items) || !items.every((v) => typeof v === "string")) {
    throw new Invalid(
      res.validation(`Invalid \`${field}\` field. It must be a string or an array of strings.`),
    );
  }
  for (const item of items) parseAddresses(field, item);
  return items;
}

function parseAddresses(field: string, text: string): string[] {
  const parsed = addressparser(text, { flatten: true }) as Array<{ address: string }>;
  if (parsed.length === 0 || parsed.some((a) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(a.address))) {
    throw new Invalid(
      res.validation(
        `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`,
      ),
    );
  }
  return parsed.map((a) => a.address);
}
