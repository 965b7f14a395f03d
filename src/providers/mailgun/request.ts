/**
 * Decodes a Mailgun `POST /v3/:domain/messages` (or `messages.mime`) form, multipart or
 * urlencoded, into one typed request. Field reference:
 * https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages
 * `h:X-Name` adds a header, `v:name` a user variable (delivered as `X-Mailgun-Variables`),
 * `o:name` an option, `t:name` a template option; `recipient-variables` turns the send into a
 * batch (one message per `to` recipient, `%recipient.key%` substituted).
 */

import addressparser from "nodemailer/lib/addressparser";
import { MailgunError } from "./errors.js";

interface MailgunAttachment {
  filename: string;
  content: Buffer;
  contentType: string | null;
  inline: boolean;
}

interface MailgunCommon {
  /** `to` values as given (each may hold several comma-separated addresses). */
  to: string[];
  tags: string[];
  testMode: boolean;
  variables: Record<string, string>;
  recipientVariables: Record<string, Record<string, unknown>> | null;
}

export interface MailgunSendRequest extends MailgunCommon {
  kind: "messages";
  from: string;
  cc: string[];
  bcc: string[];
  subject: string;
  text: string | null;
  html: string | null;
  ampHtml: string | null;
  template: {
    name: string;
    version: string | null;
    text: boolean;
    variables: Record<string, unknown>;
  } | null;
  headers: Array<{ name: string; value: string }>;
  attachments: MailgunAttachment[];
}

export interface MailgunMimeRequest extends MailgunCommon {
  kind: "mime";
  message: Buffer;
}

type FormValue = string | File;

export async function parseMessagesForm(form: FormData): Promise<MailgunSendRequest> {
  const from = single(form, "from");
  if (!from) throw new MailgunError(400, "'from' parameter is missing");
  if (recipientAddresses([from]).length !== 1)
    throw new MailgunError(
      400,
      "from parameter is not a valid address. please check documentation",
    );
  const common = await readCommon(form);
  const templateName = single(form, "template");
  const text = single(form, "text");
  const html = single(form, "html");
  const ampHtml = single(form, "amp-html");
  if (text === null && html === null && ampHtml === null && templateName === null) {
    throw new MailgunError(
      400,
      "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified",
    );
  }
  const headers: MailgunSendRequest["headers"] = [];
  for (const [key, value] of form) {
    if (key.startsWith("h:") && typeof value === "string")
      headers.push({ name: key.slice(2), value });
  }
  const attachments: MailgunAttachment[] = [];
  for (const field of ["attachment", "inline"] as const) {
    for (const value of form.getAll(field)) {
      if (typeof value === "string")
        throw new MailgunError(400, `'${field}' parameter must be a file`);
      attachments.push({
        filename: value.name || "file",
        content: Buffer.from(await value.arrayBuffer()),
        contentType: value.type || null,
        inline: field === "inline",
      });
    }
  }
  return {
    kind: "messages",
    ...common,
    from,
    cc: form.getAll("cc").filter(isString),
    bcc: form.getAll("bcc").filter(isString),
    subject: single(form, "subject") ?? "",
    text,
    html,
    ampHtml,
    template: templateName
      ? {
          name: templateName,
          version: single(form, "t:version"),
          text: yes(single(form, "t:text")),
          variables:
            jsonObject(
              single(form, "t:variables") ?? single(form, "h:X-Mailgun-Variables"),
              "t:variables",
            ) ?? {},
        }
      : null,
    headers,
    attachments,
  };
}

export async function parseMimeForm(form: FormData): Promise<MailgunMimeRequest> {
  const common = await readCommon(form);
  const message = form.get("message");
  if (message === null) throw new MailgunError(400, "'message' parameter is missing");
  const bytes =
    typeof message === "string"
      ? Buffer.from(message, "utf8")
      : Buffer.from(await message.arrayBuffer());
  return { kind: "mime", ...common, message: bytes };
}

async function readCommon(form: FormData): Promise<MailgunCommon> {
  const to = form.getAll("to").filter(isString);
  if (to.length === 0) throw new MailgunError(400, "'to' parameter is missing");
  for (const value of to) {
    if (recipientAddresses([value]).length === 0)
      throw new MailgunError(
        400,
        "to parameter is not a valid address. please check documentation",
      );
  }
  const variables: Record<string, string> = {};
  for (const [key, value] of form) {
    if (key.startsWith("v:") && typeof value === "string") variables[key.slice(2)] = value;
  }
  const recipientVariables = jsonObject(
    single(form, "recipient-variables"),
    "recipient-variables",
  ) as MailgunCommon["recipientVariables"];
  return {
    to,
    tags: form.getAll("o:tag").filter(isString),
    testMode: yes(single(form, "o:testmode")),
    variables,
    recipientVariables,
  };
}

/** Bare addresses from address-list strings ("A <a@x>, b@y"), lower-cased for comparisons. */
export function recipientAddresses(values: string[]): string[] {
  return values
    .flatMap((value) => addressparser(value, { flatten: true }))
    .map((entry) => entry.address?.trim())
    .filter((address): address is string => !!address && address.includes("@"));
}

function single(form: FormData, key: string): string | null {
  const value: FormValue | null = form.get(key);
  if (value === null) return null;
  if (typeof value !== "string") throw new MailgunError(400, `'${key}' parameter must be a string`);
  return value;
}

function yes(value: string | null): boolean {
  return value !== null && ["yes", "true", "1"].includes(value.trim().toLowerCase());
}

function jsonObject(value: string | null, field: string): Record<string, unknown> | null {
  if (value === null || value.trim() === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new MailgunError(400, `${field} parameter is not a valid JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new MailgunError(400, `${field} parameter is not a valid JSON`);
  return parsed as Record<string, unknown>;
}

function isString(value: FormValue): value is string {
  return typeof value === "string";
}
