/**
 * The SES wire formats. v1 (awsQuery) answers XML in the 2010-12-01 namespace, the result wrapped
 * in `<{Action}Response><{Action}Result>`; v2 (restJson1) answers JSON. Both carry a request id
 * in `x-amzn-RequestId`, which the SDK reads into `$metadata.requestId`.
 */

import { randomUUID } from "node:crypto";
import { type SesError, v1Status, v2Status } from "./errors.js";

const NS = "http://ses.amazonaws.com/doc/2010-12-01/";

function xmlEscape(value: string): string {
  return value.replace(
    /[<>&"']/g,
    (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]!,
  );
}

/** `<SendEmailResponse><SendEmailResult><MessageId>…` for any v1 action. */
export function v1Success(action: string, result: Record<string, string>): Response {
  const requestId = randomUUID();
  const fields = Object.entries(result)
    .map(([name, value]) => `    <${name}>${xmlEscape(value)}</${name}>\n`)
    .join("");
  const xml =
    `<${action}Response xmlns="${NS}">\n` +
    `  <${action}Result>\n${fields}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`;
  return new Response(xml, {
    status: 200,
    headers: { "content-type": "text/xml", "x-amzn-RequestId": requestId },
  });
}

export function v1Error(error: SesError): Response {
  const requestId = randomUUID();
  const xml =
    `<ErrorResponse xmlns="${NS}">\n` +
    `  <Error>\n    <Type>${error.spec.type}</Type>\n    <Code>${error.spec.v1}</Code>\n` +
    `    <Message>${xmlEscape(error.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`;
  return new Response(xml, {
    status: v1Status(error),
    headers: { "content-type": "text/xml", "x-amzn-RequestId": requestId },
  });
}

export function v2Success(body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json", "x-amzn-RequestId": randomUUID() },
  });
}

export function v2Error(error: SesError): Response {
  return new Response(JSON.stringify({ message: error.message }), {
    status: v2Status(error),
    headers: {
      "content-type": "application/json",
      "x-amzn-RequestId": randomUUID(),
      "x-amzn-ErrorType": error.spec.v2,
    },
  });
}
