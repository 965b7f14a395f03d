/**
 * Decodes and validates an SES v2 `SendEmail` JSON body (`POST /v2/email/outbound-emails`).
 * Field names and shapes: https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 * Wrong types get `BadRequestException` like the service's own validation, never a 500.
 */

import { SesError } from "./errors.js";
import type { SesAttachment, SesContent, SesHeader, SesSendRequest } from "./send-request.js";
import { isObject } from "../../core/json.js";

type Json = Record<string, unknown>;

export function parseV2SendEmail(body: unknown): SesSendRequest {
  if (!isObject(body)) throw new SesError("serialization", "Request body must be a JSON object.");
  const content = optObject(body, "Content", "content");
  if (!content) throw invalid("content", "Member must not be null");
  const destination = optObject(body, "Destination", "destination");
  return {
    api: "v2",
    action: "SendEmail",
    from: optString(body, "FromEmailAddress", "fromEmailAddress"),
    destination: destination
      ? {
          to: stringList(destination, "ToAddresses", "destination.toAddresses"),
          cc: stringList(destination, "CcAddresses", "destination.ccAddresses"),
          bcc: stringList(destination, "BccAddresses", "destination.bccAddresses"),
        }
      : null,
    replyTo: stringList(body, "ReplyToAddresses", "replyToAddresses"),
    returnPath: optString(body, "FeedbackForwardingEmailAddress", "feedbackForwardingEmailAddress"),
    tags: nameValues(body, "EmailTags", "emailTags"),
    configurationSet: optString(body, "ConfigurationSetName", "configurationSetName"),
    content: parseContent(content),
  };
}

function parseContent(content: Json): SesContent {
  const simple = optObject(content, "Simple", "content.simple");
  const raw = optObject(content, "Raw", "content.raw");
  const template = optObject(content, "Template", "content.template");
  const given = [simple, raw, template].filter(Boolean).length;
  if (given !== 1)
    throw new SesError(
      "validation",
      "Exactly one of Simple, Raw or Template content must be specified.",
    );
  if (raw) {
    const data = optString(raw, "Data", "content.raw.data");
    if (!data) throw invalid("content.raw.data", "Member must not be null");
    return { kind: "raw", data: Buffer.from(data, "base64") };
  }
  if (template) {
    const name =
      optString(template, "TemplateName", "content.template.templateName") ??
      optString(template, "TemplateArn", "content.template.templateArn");
    const inline = optObject(template, "TemplateContent", "content.template.templateContent");
    if (!name && !inline)
      throw new SesError("validation", "Template name, ARN or content must be specified.");
    return {
      kind: "template",
      name: name ? name.replace(/^arn:.*:template\//, "") : null,
      inline: inline
        ? {
            subject: optString(inline, "Subject", "content.template.templateContent.subject") ?? "",
            text: optString(inline, "Text", "content.template.templateContent.text"),
            html: optString(inline, "Html", "content.template.templateContent.html"),
          }
        : null,
      data: optString(template, "TemplateData", "content.template.templateData") ?? "{}",
      headers: nameValues(template, "Headers", "content.template.headers"),
      attachments: attachments(template, "content.template.attachments"),
    };
  }
  const subject = optObject(simple!, "Subject", "content.simple.subject");
  const body = optObject(simple!, "Body", "content.simple.body");
  if (!subject) throw invalid("content.simple.subject", "Member must not be null");
  if (!body) throw invalid("content.simple.body", "Member must not be null");
  const text = optObject(body, "Text", "content.simple.body.text");
  const html = optObject(body, "Html", "content.simple.body.html");
  return {
    kind: "simple",
    subject: optString(subject, "Data", "content.simple.subject.data") ?? "",
    text: text ? (optString(text, "Data", "content.simple.body.text.data") ?? "") : null,
    html: html ? (optString(html, "Data", "content.simple.body.html.data") ?? "") : null,
    headers: nameValues(simple!, "Headers", "content.simple.headers"),
    attachments: attachments(simple!, "content.simple.attachments"),
  };
}

function attachments(parent: Json, path: string): SesAttachment[] {
  const list = parent.Attachments;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(path, "Member must be a list");
  return list.map((item, i) => {
    if (!isObject(item)) throw invalid(`${path}.${i + 1}`, "Member must be a structure");
    const raw = optString(item, "RawContent", `${path}.${i + 1}.rawContent`);
    const filename = optString(item, "FileName", `${path}.${i + 1}.fileName`);
    if (raw === null) throw invalid(`${path}.${i + 1}.rawContent`, "Member must not be null");
    if (filename === null) throw invalid(`${path}.${i + 1}.fileName`, "Member must not be null");
    const disposition = optString(
      item,
      "ContentDisposition",
      `${path}.${i + 1}.contentDisposition`,
    );
    return {
      filename,
      content: Buffer.from(raw, "base64"),
      contentType: optString(item, "ContentType", `${path}.${i + 1}.contentType`),
      disposition: disposition?.toUpperCase() === "INLINE" ? "inline" : "attachment",
      contentId: optString(item, "ContentId", `${path}.${i + 1}.contentId`),
      description: optString(item, "ContentDescription", `${path}.${i + 1}.contentDescription`),
    };
  });
}

function nameValues(parent: Json, key: string, path: string): SesHeader[] {
  const list = parent[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(path, "Member must be a list");
  return list.map((item, i) => {
    if (!isObject(item)) throw invalid(`${path}.${i + 1}`, "Member must be a structure");
    const name = optString(item, "Name", `${path}.${i + 1}.name`);
    const value = optString(item, "Value", `${path}.${i + 1}.value`);
    if (name === null) throw invalid(`${path}.${i + 1}.name`, "Member must not be null");
    if (value === null) throw invalid(`${path}.${i + 1}.value`, "Member must not be null");
    return { name, value };
  });
}

function stringList(parent: Json, key: string, path: string): string[] {
  const list = parent[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || !list.every((item) => typeof item === "string"))
    throw invalid(path, "Member must be a list of strings");
  return list;
}

function optString(parent: Json, key: string, path: string): string | null {
  const value = parent[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(path, "Member must be a string");
  return value;
}

function optObject(parent: Json, key: string, path: string): Json | null {
  const value = parent[key];
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw invalid(path, "Member must be a structure");
  return value;
}

/** AWS's validation wording: "1 validation error detected: Value at 'x' failed to satisfy constraint: …". */
function invalid(path: string, constraint: string): SesError {
  return new SesError(
    "validation",
    `1 validation error detected: Value at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}
