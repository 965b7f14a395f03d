import { createVerify } from "node:crypto";
import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { describe, expect, test } from "vitest";
import { providerHelpers } from "../helpers/providers.js";
import { useWebhookSandbox } from "../helpers/webhook-receiver.js";
import { api } from "../helpers/sandbox.js";

const hooks = useWebhookSandbox();

const helpers = providerHelpers(() => hooks.sandbox, "ses");
const setState = helpers.setState.bind(helpers);
const capturedFor = helpers.capturedFor.bind(helpers);
const client = (options: { maxAttempts?: number; requestTimeout?: number } = {}) =>
  new SESv2Client({
    endpoint: `${hooks.sandbox.url}/ses`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDNOTIFY", secretAccessKey: "x" },
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.requestTimeout
      ? { requestHandler: { requestTimeout: options.requestTimeout, throwOnRequestTimeout: true } }
      : {}),
  });
const send = (to: string[], c = client()) =>
  c.send(
    new SendEmailCommand({
      FromEmailAddress: "app@example.com",
      Destination: { ToAddresses: to },
      EmailTags: [{ Name: "flow", Value: "notify" }],
      Content: { Simple: { Subject: { Data: "notify" }, Body: { Text: { Data: "t" } } } },
    }),
  );

/** Captured messages whose envelope delivers to `address` (header To may list suppressed addresses too). */
async function captured(address: string): Promise<number> {
  return (await capturedFor(address)).filter((m) => m.envelope.rcptTo.includes(address)).length;
}

describe("SES notifications in SNS envelopes", () => {
  test("Delivery, Bounce and Complaint notifications for the simulator, signed like SNS", async () => {
    await setState({
      webhookUrl: `${hooks.receiver.url}/sns`,
      webhookRetry: { attempts: 2, delayMs: 20 },
    });
    const { MessageId } = await send([
      "success@simulator.amazonses.com",
      "bounce@simulator.amazonses.com",
      "complaint@simulator.amazonses.com",
    ]);
    // success: Delivery; bounce: Bounce; complaint: Delivery + Complaint.
    const requests = await hooks.receiver.waitFor(4, "/sns");
    const certUrl = JSON.parse(requests[0].body).SigningCertURL as string;
    expect(certUrl).toBe(`${hooks.sandbox.url}/ses/sns-signing-cert.pem`);
    const cert = await fetch(certUrl).then((r) => r.text());
    const notifications = requests.map((request) => {
      expect(request.headers["x-amz-sns-message-type"]).toBe("Notification");
      expect(request.headers["content-type"]).toBe("text/plain; charset=UTF-8");
      const envelope = JSON.parse(request.body);
      expect(envelope).toMatchObject({
        Type: "Notification",
        SignatureVersion: "2",
        TopicArn: request.headers["x-amz-sns-topic-arn"],
      });
      const canonical = ["Message", "MessageId", "Timestamp", "TopicArn", "Type"]
        .map((k) => `${k}\n${envelope[k]}\n`)
        .join("");
      expect(
        createVerify("RSA-SHA256").update(canonical).verify(cert, envelope.Signature, "base64"),
      ).toBe(true);
      return JSON.parse(envelope.Message);
    });
    expect(
      notifications.every(
        (n) => n.mail.messageId === MessageId && n.mail.source === "app@example.com",
      ),
    ).toBe(true);
    expect(notifications[0].mail.tags).toEqual({ flow: ["notify"] });
    expect(notifications[0].mail.headers).toContainEqual({ name: "Subject", value: "notify" });
    expect(notifications[0].mail.commonHeaders).toMatchObject({
      subject: "notify",
      from: ["app@example.com"],
    });
    const byType = (type: string) => notifications.filter((n) => n.notificationType === type);
    expect(
      byType("Delivery")
        .map((n) => n.delivery.recipients[0])
        .sort(),
    ).toEqual(["complaint@simulator.amazonses.com", "success@simulator.amazonses.com"]);
    expect(byType("Bounce")[0].bounce).toMatchObject({
      bounceType: "Permanent",
      bounceSubType: "General",
      bouncedRecipients: [
        { emailAddress: "bounce@simulator.amazonses.com", action: "failed", status: "5.1.1" },
      ],
    });
    expect(byType("Complaint")[0].complaint).toMatchObject({
      complainedRecipients: [{ emailAddress: "complaint@simulator.amazonses.com" }],
      complaintFeedbackType: "abuse",
    });

    const { body } = await api(
      hooks.sandbox,
      `/api/providers/ses/events?providerMessageId=${MessageId}`,
    );
    expect(body.events.map((e: { type: string }) => e.type).sort()).toEqual([
      "Bounce",
      "Complaint",
      "Delivery",
      "Delivery",
      "Send",
    ]);
  });

  test("account suppressions bounce with OnAccountSuppressionList and are not captured", async () => {
    await setState({ webhookUrl: null, suppressions: ["suppressed@ses.test"] });
    const { MessageId } = await send(["suppressed@ses.test", "kept@ses.test"]);
    expect(await captured("suppressed@ses.test")).toBe(0);
    expect(await captured("kept@ses.test")).toBe(1);
    const { body } = await api(
      hooks.sandbox,
      `/api/providers/ses/events?type=Bounce&providerMessageId=${MessageId}`,
    );
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({
      recipient: "suppressed@ses.test",
      data: { bounce: { bounceSubType: "OnAccountSuppressionList" } },
    });
  });
});

describe("SES provider faults", () => {
  test("a 503 then success: the SDK's retry delivers exactly once", async () => {
    await setState({
      webhookUrl: null,
      suppressions: [],
      faults: [{ match: { to: "retry-once@ses.test" }, status: 503, times: 1 }],
    });
    const result = await send(["retry-once@ses.test"], client({ maxAttempts: 3 }));
    expect(result.$metadata.attempts).toBe(2);
    expect(await captured("retry-once@ses.test")).toBe(1);
  });

  test("429 carries retry-after and TooManyRequestsException; a hang trips the client's timeout", async () => {
    await setState({
      faults: [
        { match: { to: "limited@ses.test" }, status: 429, retryAfter: 7 },
        { match: { to: "hang@ses.test" }, hang: true },
      ],
    });
    const response = await fetch(`${hooks.sandbox.url}/ses/v2/email/outbound-emails`, {
      method: "POST",
      headers: {
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ses/aws4_request, Signature=0",
        "content-type": "application/json",
      },
      body: JSON.stringify({
        FromEmailAddress: "app@example.com",
        Destination: { ToAddresses: ["limited@ses.test"] },
        Content: { Simple: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } } },
      }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(response.headers.get("x-amzn-errortype")).toBe("TooManyRequestsException");

    const err = await send(["hang@ses.test"], client({ requestTimeout: 300 })).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("TimeoutError");
    expect(await captured("hang@ses.test")).toBe(0);
  });
});
