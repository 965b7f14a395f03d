import MailComposer from "nodemailer/lib/mail-composer/index.js";
import { MailproofError } from "../../../core/errors.js";
import type { IngestInput } from "../../../ingest/ingest.js";
import { checkTags } from "../../../limits/tags.js";
import { isObject } from "../../../core/json.js";

/**
 * Mailpit's `POST /api/v1/send` body, turned into the MIME message it describes and the
 * envelope to ingest it with.
 */
interface SendAddress {
  Email: string;
  Name?: string;
}

function address(value: unknown, field: string): SendAddress {
  if (
    !isObject(value) ||
    typeof value.Email !== "string" ||
    !/^[^\s@]+@[^\s@]+$/.test(value.Email)
  ) {
    throw new MailproofError(
      "BAD_REQUEST",
      `${field}: expected { Email, Name? } with a valid Email`,
    );
  }
  return { Email: value.Email, Name: typeof value.Name === "string" ? value.Name : undefined };
}

function addressList(value: unknown, field: string): SendAddress[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MailproofError("BAD_REQUEST", `${field}: expected an array`);
  return value.map((v, i) => address(v, `${field}[${i}]`));
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const isStrings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((item) => typeof item === "string");
  if (!isStrings(value))
    throw new MailproofError("BAD_REQUEST", `${field}: expected an array of strings`);
  return value;
}

const format = (a: SendAddress) => (a.Name ? { name: a.Name, address: a.Email } : a.Email);

export async function buildSendMessage(body: unknown): Promise<Omit<IngestInput, "source">> {
  if (!isObject(body)) throw new MailproofError("BAD_REQUEST", "expected a JSON object");
  const from = address(body.From, "From");
  const to = addressList(body.To, "To");
  const cc = addressList(body.Cc, "Cc");
  const bcc = stringList(body.Bcc, "Bcc");
  if (to.length + cc.length + bcc.length === 0)
    throw new MailproofError("BAD_REQUEST", "at least one of To, Cc or Bcc is required");
  const tags = checkTags(stringList(body.Tags, "Tags"), "Tags");
  const attachments = (Array.isArray(body.Attachments) ? body.Attachments : []).map(
    (a: unknown, i: number) => {
      if (!isObject(a) || typeof a.Content !== "string" || typeof a.Filename !== "string") {
        throw new MailproofError(
          "BAD_REQUEST",
          `Attachments[${i}]: expected { Content (base64), Filename, ContentType?, ContentID? }`,
        );
      }
      return {
        filename: a.Filename,
        content: Buffer.from(a.Content, "base64"),
        contentType: typeof a.ContentType === "string" ? a.ContentType : undefined,
        cid: typeof a.ContentID === "string" && a.ContentID ? a.ContentID : undefined,
      };
    },
  );
  const headers = isObject(body.Headers)
    ? Object.fromEntries(Object.entries(body.Headers).map(([k, v]) => [k, String(v)]))
    : {};
  const composer = new MailComposer({
    from: format(from),
    to: to.map(format),
    cc: cc.map(format),
    replyTo: addressList(body.ReplyTo, "ReplyTo").map(format),
    subject: typeof body.Subject === "string" ? body.Subject : "",
    text: typeof body.Text === "string" ? body.Text : undefined,
    html: typeof body.HTML === "string" ? body.HTML : undefined,
    attachments,
    headers,
  });
  const raw = await new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
  return {
    raw,
    envelope: {
      mailFrom: from.Email,
      rcptTo: [...to.map((a) => a.Email), ...cc.map((a) => a.Email), ...bcc],
      remoteAddress: null,
      helo: null,
      secure: false,
      authUser: null,
    },
    tags,
  };
}
