import { isObject } from "../../core/json.js";
import type { SgAttachment, SgSendRequest } from "./request.js";
import { jsonType, type Fail } from "./request-fields.js";
import { HELP } from "./responses.js";

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

/** `content`: the body parts, each a non-empty type and value; required without a template. */
export function parseContent(
  value: unknown,
  templateId: string | null,
  fail: Fail,
): SgSendRequest["content"] {
  const content: SgSendRequest["content"] = [];
  if (value !== undefined && !Array.isArray(value)) {
    fail(`Invalid type. Expected: array, given: ${jsonType(value)}.`, "content");
  } else if (Array.isArray(value)) {
    value.forEach((c: unknown, i: number) => {
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
  if (!templateId && (!Array.isArray(value) || value.length === 0)) {
    fail(
      "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
      "content",
      HELP.content,
    );
  }
  return content;
}

/** `attachments`: base64 content and a filename each; inline ones need a content_id. */
export function parseAttachments(value: unknown, fail: Fail): SgAttachment[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    fail(`Invalid type. Expected: array, given: ${jsonType(value)}.`, "attachments");
    return [];
  }
  const attachments: SgAttachment[] = [];
  value.forEach((a: unknown, i: number) => {
    const attachment = parseAttachment(a, `attachments.${i}`, fail);
    if (attachment) attachments.push(attachment);
  });
  return attachments;
}

function parseAttachment(a: unknown, field: string, fail: Fail): SgAttachment | null {
  if (!isObject(a) || typeof a.content !== "string" || a.content === "") {
    fail("The attachment content is required.", `${field}.content`, HELP.attachments);
    return null;
  }
  if (!BASE64.test(a.content)) {
    fail("The attachment content must be base64 encoded.", `${field}.content`, HELP.attachments);
    return null;
  }
  if (typeof a.filename !== "string" || a.filename === "") {
    fail("The attachment filename parameter is required.", `${field}.filename`, HELP.attachments);
    return null;
  }
  const disposition = a.disposition === "inline" ? "inline" : "attachment";
  if (disposition === "inline" && typeof a.content_id !== "string") {
    // The Node SDK sends `contentId` unconverted (sendgrid-nodejs#841, #1080): SendGrid refuses it like this.
    fail(
      "The content_id parameter is required if disposition = 'inline'.",
      `${field}.content_id`,
      `${HELP.attachments}.content_id`,
    );
    return null;
  }
  return {
    content: Buffer.from(a.content, "base64"),
    filename: a.filename,
    type: typeof a.type === "string" ? a.type : null,
    disposition,
    contentId: typeof a.content_id === "string" ? a.content_id : null,
  };
}
