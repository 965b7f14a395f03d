import { randomBytes } from "node:crypto";
import { snsEnvelope, snsTopicArn } from "../../providers/ses/sns.js";
import type { BuiltMessage } from "../mime.js";
import type { HttpRequestParts, SigningKeys } from "./http-formats.js";
import { addresses, headerPairs, parseForInbound } from "./parsed.js";

const PASS = { status: "PASS" };

/**
 * An SES receipt rule's SNS action: the "Received" notification (with the raw message as
 * `content`, encoding UTF8) in a signed SNS Notification, signed as the SES mock signs its own.
 * https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html
 */
export async function sesSns(mail: BuiltMessage, keys: SigningKeys): Promise<HttpRequestParts> {
  const parsed = await parseForInbound(mail.raw);
  const sns = keys.sns();
  const now = new Date();
  const messageId = randomBytes(16).toString("hex");
  const notification = {
    notificationType: "Received",
    mail: {
      timestamp: now.toISOString(),
      source: mail.mailFrom,
      messageId,
      destination: mail.rcptTo,
      headersTruncated: false,
      headers: headerPairs(mail.raw).map(([name, value]) => ({ name, value })),
      commonHeaders: {
        returnPath: mail.mailFrom,
        from: addresses(parsed.from).map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)),
        date: (parsed.date ?? now).toUTCString(),
        to: addresses(parsed.to).map((a) => a.address),
        messageId: parsed.messageId ?? messageId,
        subject: parsed.subject ?? "",
      },
    },
    receipt: {
      timestamp: now.toISOString(),
      processingTimeMillis: 1,
      recipients: mail.rcptTo,
      spamVerdict: PASS,
      virusVerdict: PASS,
      spfVerdict: PASS,
      dkimVerdict: PASS,
      dmarcVerdict: PASS,
      action: { type: "SNS", topicArn: snsTopicArn(sns.region), encoding: "UTF8" },
    },
    content: mail.raw.toString("utf8"),
  };
  const request = snsEnvelope(notification, sns.region, sns, []);
  return { body: request.body, headers: request.headers };
}
