import { createHmac, createVerify } from "node:crypto";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from "../helpers/webhook-receiver.js";

/** `app` plays the application's inbound SMTP server; `receiver` its inbound HTTP endpoint. */
let app: Sandbox;
let receiver: WebhookReceiver;
const sandboxes: Sandbox[] = [];
let counter = 0;

beforeAll(async () => {
  app = await startTestSandbox();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.stop()));
  await app.stop();
  await receiver.close();
});

async function sandboxWith(inbound: string | null): Promise<Sandbox> {
  const sandbox = await startTestSandbox({
    inbound,
    providers: { mailgun: { webhookSecret: "mg-signing-key" } },
  });
  sandboxes.push(sandbox);
  return sandbox;
}

/** Captures a notification the app sent, and returns its id. */
async function notification(sandbox: Sandbox): Promise<{ id: string; subject: string }> {
  const subject = `New comment ${++counter}`;
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  await transport.sendMail({
    from: "App <notify@app.test>",
    replyTo: `reply+thread${counter}@app.test`,
    to: "Ann <ann@example.com>",
    subject,
    text: "Bob commented:\nLooks good.",
    messageId: `<n${counter}@app.test>`,
  });
  transport.close();
  const { body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`subject:"${subject}"`)}&after=1970-01-01T00:00:00Z`,
  );
  return { id: body.id, subject };
}

const reply = (sandbox: Sandbox, id: string, body: unknown) =>
  api(sandbox, `/api/messages/${id}/reply`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** The one request a test's path received. */
async function post(path: string): Promise<ReceivedWebhook> {
  return (await receiver.waitFor(1, path))[0];
}

const form = (request: ReceivedWebhook) =>
  new Response(request.body, {
    headers: { "content-type": String(request.headers["content-type"]) },
  }).formData();

describe("inbound replies", () => {
  test("over SMTP: a threaded Re: reply with the quoted text reaches --inbound and is captured beside the original", async () => {
    const sandbox = await sandboxWith(`smtp://127.0.0.1:${app.smtpPort}`);
    const original = await notification(sandbox);
    const { status, body } = await reply(sandbox, original.id, { text: "Thanks, merging now." });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      delivered: true,
      to: `smtp://127.0.0.1:${app.smtpPort}`,
      status: expect.stringMatching(/^250 /),
    });
    const { body: delivered } = await api(
      app,
      `/api/wait?query=${encodeURIComponent(`subject:"Re: ${original.subject}"`)}&after=1970-01-01T00:00:00Z`,
    );
    expect(delivered.envelope).toMatchObject({
      mailFrom: "ann@example.com",
      rcptTo: [`reply+thread${counter}@app.test`],
    });
    const raw = Buffer.from(
      await (await fetch(`${app.url}/api/messages/${delivered.id}/raw`)).arrayBuffer(),
    );
    const parsed = await simpleParser(raw);
    expect(parsed.inReplyTo).toBe(`<n${counter}@app.test>`);
    expect(parsed.references).toBe(`<n${counter}@app.test>`);
    expect(parsed.text).toMatch(
      /^Thanks, merging now\.\n\nOn .+, App <notify@app\.test> wrote:\n> Bob commented:\n> Looks good\.\n?$/,
    );
    const captured = (
      await api(sandbox, `/api/messages?query=${encodeURIComponent(`tag:original:${original.id}`)}`)
    ).body.messages;
    expect(captured).toHaveLength(1);
    expect((await api(sandbox, `/api/messages/${captured[0].id}`)).body.originalId).toBe(
      original.id,
    );
  });

  test("SendGrid Inbound Parse: a multipart form with the documented fields", async () => {
    const sandbox = await sandboxWith(`sendgrid-parse+${receiver.url}/sendgrid?key=secret`);
    const original = await notification(sandbox);
    const { body } = await reply(sandbox, original.id, {
      from: "carol@example.com",
      text: "Count me in.",
      html: "<p>Count me in.</p>",
    });
    expect(body).toMatchObject({
      delivered: true,
      to: `sendgrid-parse+${receiver.url}/sendgrid`,
      status: 200,
    });
    const request = await post("/sendgrid?key=secret");
    expect(request.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const fields = await form(request);
    expect(fields.get("from")).toBe("carol@example.com");
    expect(fields.get("to")).toBe(`reply+thread${counter}@app.test`);
    expect(fields.get("subject")).toBe(`Re: ${original.subject}`);
    expect(fields.get("text")).toMatch(/^Count me in\./);
    expect(fields.get("html")).toContain("<p>Count me in.</p>");
    expect(JSON.parse(fields.get("envelope") as string)).toEqual({
      to: [`reply+thread${counter}@app.test`],
      from: "carol@example.com",
    });
    expect(JSON.parse(fields.get("charsets") as string)).toMatchObject({
      subject: "UTF-8",
      text: "UTF-8",
    });
    expect(fields.get("headers") as string).toContain(`In-Reply-To: <n${counter}@app.test>`);
    for (const name of ["dkim", "sender_ip", "SPF", "attachments"])
      expect(fields.has(name), name).toBe(true);
  });

  test("Postmark inbound: the documented JSON, with StrippedTextReply and MailboxHash", async () => {
    const sandbox = await sandboxWith(`postmark+${receiver.url}/postmark`);
    const original = await notification(sandbox);
    await reply(sandbox, original.id, { text: "Sounds good." });
    const json = JSON.parse((await post("/postmark")).body);
    expect(json).toMatchObject({
      FromFull: { Email: "ann@example.com" },
      ToFull: [{ Email: `reply+thread${counter}@app.test`, MailboxHash: `thread${counter}` }],
      MailboxHash: `thread${counter}`,
      Subject: `Re: ${original.subject}`,
      StrippedTextReply: "Sounds good.",
      MessageID: expect.any(String),
      Attachments: [],
    });
    expect(json.TextBody).toContain("> Looks good.");
    expect(json.Headers).toContainEqual({ Name: "In-Reply-To", Value: `<n${counter}@app.test>` });
  });

  test("Mailgun route: the forward() form, signed with the Mailgun mock's webhook signing key", async () => {
    const sandbox = await sandboxWith(`mailgun+${receiver.url}/mailgun`);
    const original = await notification(sandbox);
    await reply(sandbox, original.id, { text: "On it." });
    const request = await post("/mailgun");
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const fields = await form(request);
    expect(fields.get("recipient")).toBe(`reply+thread${counter}@app.test`);
    expect(fields.get("sender")).toBe("ann@example.com");
    expect(fields.get("subject")).toBe(`Re: ${original.subject}`);
    expect(fields.get("stripped-text")).toBe("On it.");
    expect(fields.get("body-plain")).toContain("> Looks good.");
    expect(JSON.parse(fields.get("message-headers") as string)).toContainEqual([
      "In-Reply-To",
      `<n${counter}@app.test>`,
    ]);
    // Mailgun's documented check: hex HMAC-SHA256 of timestamp + token with the signing key.
    const expected = createHmac("sha256", "mg-signing-key")
      .update(`${fields.get("timestamp") as string}${fields.get("token") as string}`)
      .digest("hex");
    expect(fields.get("signature")).toBe(expected);
  });

  test("SES through SNS: a signed Notification whose Message is the Received notification with the raw content", async () => {
    const sandbox = await sandboxWith(`ses-sns+${receiver.url}/ses`);
    const original = await notification(sandbox);
    await reply(sandbox, original.id, { text: "Approved." });
    const request = await post("/ses");
    expect(request.headers["x-amz-sns-message-type"]).toBe("Notification");
    const envelope = JSON.parse(request.body);
    const cert = await fetch(envelope.SigningCertURL).then((r) => r.text());
    const canonical = ["Message", "MessageId", "Timestamp", "TopicArn", "Type"]
      .map((k) => `${k}\n${envelope[k]}\n`)
      .join("");
    expect(
      createVerify("RSA-SHA256").update(canonical).verify(cert, envelope.Signature, "base64"),
    ).toBe(true);
    const notificationJson = JSON.parse(envelope.Message);
    expect(notificationJson).toMatchObject({
      notificationType: "Received",
      mail: {
        source: "ann@example.com",
        destination: [`reply+thread${counter}@app.test`],
        commonHeaders: { subject: `Re: ${original.subject}` },
      },
      receipt: {
        recipients: [`reply+thread${counter}@app.test`],
        action: { type: "SNS", encoding: "UTF8" },
      },
    });
    expect((await simpleParser(notificationJson.content)).inReplyTo).toBe(`<n${counter}@app.test>`);
  });

  test("400 without --inbound or without text, 404 for an unknown id, 502 when the target fails", async () => {
    const none = await sandboxWith(null);
    const { id } = await notification(none);
    expect((await reply(none, id, { text: "hi" })).body.error).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("--inbound"),
    });
    const failing = await sandboxWith(`postmark+${receiver.url}/failing`);
    const original = await notification(failing);
    expect((await reply(failing, original.id, {})).status).toBe(400);
    expect((await reply(failing, "nope", { text: "hi" })).status).toBe(404);
    receiver.answerWith([500]);
    const failed = await reply(failing, original.id, { text: "hi" });
    expect(failed.status).toBe(502);
    expect(failed.body.error.message).toContain("HTTP 500");
  });
});
