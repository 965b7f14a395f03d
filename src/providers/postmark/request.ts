/**
 * Decodes one Postmark message (`/email`, each entry of `/email/batch`, and the templated
 * variants) into a checked shape, or the `{ ErrorCode, Message }` Postmark answers for it
 * (https://postmarkapp.com/developer/api/email-api). Wrong types are ErrorCode 403 "Incompatible
 * JSON", bad addresses and missing bodies ErrorCode 300 "Invalid email request".
 */

import addressparser from "nodemailer/lib/addressparser";
import * as res from "./responses.js";
import { isObject } from "../../core/json.js";

export interface PmAddress {
  name: string | null;
  address: string;
}

interface PmAttachment {
  name: string;
  content: Buffer;
  contentType: string | null;
  contentId: string | null;
}

export interface PmMessage {
  from: PmAddress;
  to: PmAddress[];
  cc: PmAddress[];
  bcc: PmAddress[];
  replyTo: PmAddress[];
  subject: string | null;
  htmlBody: string | null;
  textBody: string | null;
  tag: string | null;
  headers: Array<{ name: string; value: string }>;
  attachments: PmAttachment[];
  metadata: Record<string, string>;
  messageStream: string;
  /** TrackLinks (`None`, `HtmlAndText`, `HtmlOnly`, `TextOnly`) and TrackOpens. */
  trackLinks: "None" | "HtmlAndText" | "HtmlOnly" | "TextOnly";
  trackOpens: boolean;
  template: { idOrAlias: string; model: Record<string, unknown> } | null;
}

const MAX_RECIPIENTS = 50;

class Invalid extends Error {
  constructor(readonly error: res.PostmarkError) {
    super(error.Message);
  }
}

/** `templated`: the message must name a template (`/email/withTemplate`) instead of carrying bodies. */
export function parseMessage(
  value: unknown,
  templated: boolean,
): { message: PmMessage } | { error: res.PostmarkError } {
  try {
    return { message: decode(value, templated) };
  } catch (e) {
    if (e instanceof Invalid) return { error: e.error };
    throw e;
  }
}

function decode(value: unknown, templated: boolean): PmMessage {
  if (!isObject(value)) throw new Invalid(res.incompatibleJson());
  const str = (key: string): string | null => {
    const v = value[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") throw new Invalid(res.incompatibleJson());
    return v;
  };
  const fromText = str("From");
  const from = fromText ? addresses("From", fromText)[0] : undefined;
  if (!from) throw new Invalid(res.invalidRequest(`Invalid 'From' address: '${fromText ?? ""}'.`));
  const to = addresses("To", str("To"));
  const cc = addresses("Cc", str("Cc"));
  const bcc = addresses("Bcc", str("Bcc"));
  if (to.length + cc.length + bcc.length === 0)
    throw new Invalid(res.invalidRequest("Zero recipients specified"));
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS)
    throw new Invalid(res.invalidRequest("Maximum of 50 recipients allowed per email message"));

  let template: PmMessage["template"] = null;
  if (templated) {
    const id = value.TemplateId;
    const alias = str("TemplateAlias");
    if (id !== undefined && id !== null && typeof id !== "number" && typeof id !== "string")
      throw new Invalid(res.incompatibleJson());
    const idOrAlias = id !== undefined && id !== null ? String(id) : alias;
    if (!idOrAlias)
      throw new Invalid(res.invalidRequest("A 'TemplateId' or 'TemplateAlias' must be provided."));
    const model = value.TemplateModel ?? {};
    if (!isObject(model)) throw new Invalid(res.incompatibleJson());
    template = { idOrAlias, model };
  }
  const htmlBody = str("HtmlBody");
  const textBody = str("TextBody");
  if (!templated && !htmlBody && !textBody)
    throw new Invalid(res.invalidRequest("Provide either email TextBody or HtmlBody or both."));

  return {
    from,
    to,
    cc,
    bcc,
    replyTo: addresses("ReplyTo", str("ReplyTo")),
    subject: str("Subject"),
    htmlBody,
    textBody,
    tag: str("Tag"),
    headers: list(value.Headers, (h) => {
      if (!isObject(h) || typeof h.Name !== "string" || typeof h.Value !== "string")
        throw new Invalid(res.incompatibleJson());
      return { name: h.Name, value: h.Value };
    }),
    attachments: list(value.Attachments, (a) => {
      if (!isObject(a) || typeof a.Name !== "string" || typeof a.Content !== "string")
        throw new Invalid(res.incompatibleJson());
      if (
        a.ContentType !== undefined &&
        a.ContentType !== null &&
        typeof a.ContentType !== "string"
      )
        throw new Invalid(res.incompatibleJson());
      const contentId =
        typeof a.ContentID === "string" && a.ContentID ? a.ContentID.replace(/^cid:/i, "") : null;
      return {
        name: a.Name,
        content: Buffer.from(a.Content, "base64"),
        contentType: (a.ContentType as string | undefined) ?? null,
        contentId,
      };
    }),
    metadata: metadata(value.Metadata),
    messageStream: str("MessageStream") ?? "outbound",
    trackLinks: trackLinks(str("TrackLinks")),
    trackOpens: bool(value.TrackOpens),
    template,
  };
}

const TRACK_LINKS = ["None", "HtmlAndText", "HtmlOnly", "TextOnly"] as const;

function trackLinks(value: string | null): PmMessage["trackLinks"] {
  if (value === null) return "None";
  const found = TRACK_LINKS.find((option) => option.toLowerCase() === value.toLowerCase());
  if (!found)
    throw new Invalid(
      res.invalidRequest(
        `Invalid 'TrackLinks' value: '${value}'. Use one of None, HtmlAndText, HtmlOnly, TextOnly.`,
      ),
    );
  return found;
}

function bool(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new Invalid(res.incompatibleJson());
  return value;
}

function addresses(field: string, text: string | null): PmAddress[] {
  if (!text || !text.trim()) return [];
  const parsed = addressparser(text, { flatten: true }) as Array<{ name: string; address: string }>;
  return parsed.map((a) => {
    if (!a.address || !a.address.includes("@") || /\s/.test(a.address)) {
      throw new Invalid(
        res.invalidRequest(
          `Error parsing '${field}': Illegal email address '${a.address || a.name}'. It must contain the '@' symbol.`,
        ),
      );
    }
    return { name: a.name || null, address: a.address };
  });
}

function list<T>(value: unknown, each: (item: unknown) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Invalid(res.incompatibleJson());
  return value.map(each);
}

function metadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new Invalid(res.incompatibleJson());
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
