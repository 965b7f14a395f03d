/**
 * SES notifications reach an HTTP endpoint through SNS: a JSON envelope (`Type: Notification`,
 * the SES notification as a string in `Message`) POSTed as text/plain with `x-amz-sns-*`
 * headers. mailproof signs it like SNS SignatureVersion 2 (RSA-SHA256 over the canonical
 * "Key\nValue\n" string) with a sandbox key whose certificate it serves at `SigningCertURL`.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */

import { createSign, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { WebhookRequest } from "../shared/types.js";
import { SES_ACCOUNT_ID } from "./notifications.js";

// A published test key pair (fixtures/providers/ses), not a secret: receivers that verify SNS
// signatures can be pointed at the certificate the mock serves. Immutable, read once.
const fixtures = new URL("../../../fixtures/providers/ses/", import.meta.url);
const SNS_SIGNING_KEY = readFileSync(new URL("sns-signing-key.pem", fixtures), "utf8");
export const SNS_SIGNING_CERT = readFileSync(new URL("sns-signing-cert.pem", fixtures), "utf8");

export function snsTopicArn(region: string): string {
  return `arn:aws:sns:${region}:${SES_ACCOUNT_ID}:mailproof-ses-notifications`;
}

export function snsEnvelope(
  message: unknown,
  region: string,
  links: { signingCertUrl: string; unsubscribeUrl: string },
  eventIds: string[],
  now = new Date(),
): WebhookRequest {
  const fields = {
    Type: "Notification",
    MessageId: randomUUID(),
    TopicArn: snsTopicArn(region),
    Message: JSON.stringify(message),
    Timestamp: now.toISOString(),
  };
  const canonical = ["Message", "MessageId", "Timestamp", "TopicArn", "Type"]
    .map((key) => `${key}\n${fields[key as keyof typeof fields]}\n`)
    .join("");
  const signature = createSign("RSA-SHA256").update(canonical).sign(SNS_SIGNING_KEY, "base64");
  const body = {
    ...fields,
    SignatureVersion: "2",
    Signature: signature,
    SigningCertURL: links.signingCertUrl,
    UnsubscribeURL: `${links.unsubscribeUrl}?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(`${fields.TopicArn}:${randomUUID()}`)}`,
  };
  return {
    eventIds,
    body: JSON.stringify(body),
    headers: {
      "content-type": "text/plain; charset=UTF-8",
      "user-agent": "Amazon Simple Notification Service Agent",
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": fields.MessageId,
      "x-amz-sns-topic-arn": fields.TopicArn,
    },
  };
}
