/**
 * SES notifications reach an HTTP endpoint through SNS: a JSON envelope (`Type: Notification`,
 * the SES notification as a string in `Message`) POSTed as text/plain with `x-amz-sns-*`
 * headers. mailproof signs it like SNS SignatureVersion 2 (RSA-SHA256 over the canonical
 * "Key\nValue\n" string) with a sandbox key whose certificate it serves at `SigningCertURL`.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */

import { createSign, randomUUID } from "node:crypto";
import { SES_ACCOUNT_ID } from "./notifications.js";

export interface SnsSigningKey {
  /** PEM private key. */
  key: string;
  certUrl: string;
}

export function snsTopicArn(region: string): string {
  return `arn:aws:sns:${region}:${SES_ACCOUNT_ID}:mailproof-ses-notifications`;
}

export function snsEnvelope(message: unknown, region: string, signing: SnsSigningKey, unsubscribeUrl: string, now = new Date()) {
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
  const signature = createSign("RSA-SHA256").update(canonical).sign(signing.key, "base64");
  const body = {
    ...fields,
    SignatureVersion: "2",
    Signature: signature,
    SigningCertURL: signing.certUrl,
    UnsubscribeURL: `${unsubscribeUrl}?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(`${fields.TopicArn}:${randomUUID()}`)}`,
  };
  return {
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
