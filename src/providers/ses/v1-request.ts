/**
 * Decodes the SES v1 (awsQuery) send actions: `SendEmail`, `SendRawEmail`, `SendTemplatedEmail`.
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_SendEmail.html and siblings.
 */

import { SesError } from "./errors.js";
import { decodeQueryParams, obj, objList, type QueryObject, str, strList } from "./query-params.js";
import type { SesDestination, SesSendRequest } from "./send-request.js";

const V1_SEND_ACTIONS = ["SendEmail", "SendRawEmail", "SendTemplatedEmail"] as const;
type V1SendAction = (typeof V1_SEND_ACTIONS)[number];

export function isV1SendAction(action: string): action is V1SendAction {
  return (V1_SEND_ACTIONS as readonly string[]).includes(action);
}

export function parseV1Send(action: V1SendAction, params: URLSearchParams): SesSendRequest {
  const q = decodeQueryParams(params);
  const common = {
    api: "v1" as const,
    action,
    replyTo: strList(q, "ReplyToAddresses"),
    returnPath: str(q, "ReturnPath") ?? null,
    tags: objList(q, "Tags").map((tag) => ({
      name: str(tag, "Name") ?? "",
      value: str(tag, "Value") ?? "",
    })),
    configurationSet: str(q, "ConfigurationSetName") ?? null,
  };
  if (action === "SendRawEmail") {
    const data = str(obj(q, "RawMessage"), "Data");
    if (!data) throw missing("rawMessage.data");
    const destinations = strList(q, "Destinations");
    return {
      ...common,
      from: str(q, "Source") ?? null,
      destination: destinations.length > 0 ? { to: destinations, cc: [], bcc: [] } : null,
      content: { kind: "raw", data: Buffer.from(data, "base64") },
    };
  }
  const source = str(q, "Source");
  if (!source) throw missing("source");
  const destination = readDestination(q);
  if (action === "SendTemplatedEmail") {
    const template = str(q, "Template") ?? str(q, "TemplateArn")?.replace(/^arn:.*:template\//, "");
    if (!template) throw missing("template");
    const data = str(q, "TemplateData");
    if (data === undefined) throw missing("templateData");
    return {
      ...common,
      from: source,
      destination,
      content: {
        kind: "template",
        name: template,
        inline: null,
        data,
        headers: [],
        attachments: [],
      },
    };
  }
  const message = obj(q, "Message");
  if (!message) throw missing("message");
  const subject = obj(message, "Subject");
  const body = obj(message, "Body");
  if (!subject) throw missing("message.subject");
  if (!body) throw missing("message.body");
  const text = obj(body, "Text");
  const html = obj(body, "Html");
  return {
    ...common,
    from: source,
    destination,
    content: {
      kind: "simple",
      subject: str(subject, "Data") ?? "",
      text: text ? (str(text, "Data") ?? "") : null,
      html: html ? (str(html, "Data") ?? "") : null,
      headers: [],
      attachments: [],
    },
  };
}

function readDestination(q: QueryObject): SesDestination {
  const destination = obj(q, "Destination");
  if (!destination) throw missing("destination");
  return {
    to: strList(destination, "ToAddresses"),
    cc: strList(destination, "CcAddresses"),
    bcc: strList(destination, "BccAddresses"),
  };
}

function missing(path: string): SesError {
  return new SesError(
    "validation",
    `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
  );
}
