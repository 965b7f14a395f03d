import { createVerify, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import sendgridClient from "@sendgrid/client";
import sendgridMail from "@sendgrid/mail";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";
import { providerHelpers, rejection } from "../helpers/providers.js";

// The SDKs' types declare `export =` beside their named classes; at run time both are there.
const { Client } = sendgridClient as unknown as { Client: new () => typeof sendgridClient };
const { MailService } = sendgridMail as unknown as { MailService: new () => typeof sendgridMail };

let sandbox: Sandbox;
const helpers = providerHelpers(() => sandbox, "sendgrid");
const setState = helpers.setState.bind(helpers);
const waitFor = helpers.waitFor.bind(helpers);
const capturedFor = helpers.capturedFor.bind(helpers);
const eventsFor = helpers.eventsFor.bind(helpers);
let receiver: WebhookReceiver;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@sendgrid.test`;
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8");

/** The official SDK pointed at the mock, as docs/providers/sendgrid.md tells users to. */
function sdk(apiKey = "SG.test-key", timeout?: number): typeof sendgridMail {
  const client = new Client();
  client.setApiKey(apiKey);
  client.setDefaultRequest("baseUrl", `${sandbox.url}/sendgrid`);
  const mail = new MailService();
  mail.setClient(client);
  if (timeout) mail.setTimeout(timeout);
  return mail;
}

const post = (body: string, headers: Record<string, string> = { authorization: "Bearer SG.x" }) =>
  fetch(`${sandbox.url}/sendgrid/v3/mail/send`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });

beforeAll(async () => {
  sandbox = await startTestSandbox({ dnsZone: JSON.parse(fixture("dns/auth-zone.json")) });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
});
beforeEach(() =>
  setState({
    apiKeys: null,
    verifiedSenders: null,
    sandbox: false,
    suppressions: [],
    rateLimit: null,
    faults: [],
    webhookUrl: null,
    dkim: {},
  }),
);

describe("SendGrid v3 mail send with @sendgrid/mail", () => {
  test("text + html + attachment + cc/bcc + reply-to + headers + categories: 202 with X-Message-Id, captured as delivered", async () => {
    const [to, cc, bcc] = [unique("to"), unique("cc"), unique("bcc")];
    const [response, body] = await sdk().send({
      to,
      cc,
      bcc,
      from: { email: "billing@shop.test", name: "Shop Billing" },
      replyTo: "support@shop.test",
      subject: "Invoice #1001",
      text: "Your invoice is attached.",
      html: "<p>Your invoice is <b>attached</b>.</p>",
      headers: { "X-Invoice": "1001" },
      categories: ["invoices", "billing"],
      customArgs: { tenant: "acme" },
      attachments: [
        {
          content: Buffer.from("%PDF-1.4 fake").toString("base64"),
          filename: "invoice.pdf",
          type: "application/pdf",
          disposition: "attachment",
        },
        // `content_id`: the SDK's typed `contentId` reaches SendGrid unconverted and is refused (see the test below).
        {
          content: Buffer.from("GIF89a").toString("base64"),
          filename: "logo.gif",
          type: "image/gif",
          disposition: "inline",
          content_id: "logo",
        } as any,
      ],
    });
    expect(response.statusCode).toBe(202);
    expect(body).toBe("");
    const xMessageId = response.headers["x-message-id"];
    expect(xMessageId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const message = await waitFor(to);
    expect(message.source).toEqual({ kind: "sendgrid", providerMessageId: xMessageId });
    expect(message.from).toEqual({ name: "Shop Billing", address: "billing@shop.test" });
    expect(message.cc.map((a: { address: string }) => a.address)).toEqual([cc]);
    expect(message.headers.map((h: { name: string }) => h.name.toLowerCase())).not.toContain("bcc"); // delivered mail never shows Bcc
    expect(message.envelope.rcptTo).toEqual([to, cc, bcc]);
    expect(message.envelope.mailFrom).toMatch(/^bounces\+.*@sendgrid\.net$/);
    expect(message.replyTo.map((a: { address: string }) => a.address)).toEqual([
      "support@shop.test",
    ]);
    expect(message.subject).toBe("Invoice #1001");
    expect(message.text.trim()).toBe("Your invoice is attached.");
    expect(message.html).toContain("<b>attached</b>");
    expect(message.headers).toContainEqual({ name: "X-Invoice", value: "1001" });
    expect(message.attachments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          filename: "invoice.pdf",
          contentType: "application/pdf",
          size: 13,
          inline: false,
        }),
        expect.objectContaining({
          filename: "logo.gif",
          contentType: "image/gif",
          contentId: "logo",
          inline: true,
        }),
      ]),
    );
    expect(message.tags).toEqual(["invoices", "billing"]);

    const events = await eventsFor(to);
    expect(events.map((e) => e.type)).toEqual(["processed", "delivered"]);
    expect(events[1]).toMatchObject({
      providerMessageId: xMessageId,
      messageId: message.id,
      data: { tenant: "acme", category: ["invoices", "billing"], response: "250 OK" },
    });
  });

  test("an inline attachment with the SDK's `contentId` is refused as SendGrid refuses it (sendgrid-nodejs#1080)", async () => {
    const err = await rejection(
      sdk().send({
        to: unique("inline"),
        from: "a@shop.test",
        subject: "s",
        html: '<img src="cid:logo">',
        attachments: [
          {
            content: Buffer.from("GIF89a").toString("base64"),
            filename: "logo.gif",
            type: "image/gif",
            disposition: "inline",
            contentId: "logo",
          },
        ],
      }),
    );
    expect(err.code).toBe(400);
    expect(err.response.body.errors).toMatchObject([
      {
        message: "The content_id parameter is required if disposition = 'inline'.",
        field: "attachments.0.content_id",
      },
    ]);
  });

  test("one captured message per personalization, with its own subject and substitutions", async () => {
    const [a, b] = [unique("a"), unique("b")];
    const [response] = await sdk().send({
      from: "news@shop.test",
      subject: "Hello {{name}}",
      text: "Dear {{name}}, welcome.",
      // The SDK wraps substitution keys in {{ }} (substitutionWrappers) before sending.
      personalizations: [
        { to: a, substitutions: { name: "Ada" } },
        { to: b, subject: "Personal note for {{name}}", substitutions: { name: "Bob" } },
      ],
    });
    const id = response.headers["x-message-id"];
    const [first] = await capturedFor(a);
    const [second] = await capturedFor(b);
    expect(first.subject).toBe("Hello Ada");
    expect(first.text.trim()).toBe("Dear Ada, welcome.");
    expect(first.to.map((x: { address: string }) => x.address)).toEqual([a]);
    expect(second.subject).toBe("Personal note for Bob");
    expect(second.envelope.rcptTo).toEqual([b]);
    expect([first.source.providerMessageId, second.source.providerMessageId]).toEqual([id, id]);
    expect(first.messageId).not.toBe(second.messageId);
  });

  test("isMultiple sends each recipient its own message", async () => {
    const [a, b] = [unique("m1"), unique("m2")];
    await sdk().sendMultiple({ to: [a, b], from: "news@shop.test", subject: "Multi", text: "hi" });
    expect((await capturedFor(a))[0].to.map((x: { address: string }) => x.address)).toEqual([a]);
    expect((await capturedFor(b))[0].to.map((x: { address: string }) => x.address)).toEqual([b]);
  });

  test("a dynamic template renders with Handlebars; an unknown one is accepted and then dropped", async () => {
    const put = await api(
      sandbox,
      "/api/providers/sendgrid/templates/d-0123456789abcdef0123456789abcdef",
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          subject: "Reset for {{user.name}}",
          html: '<a href="{{url}}">Reset</a> {{user.name}}',
          text: "Reset: {{url}}",
        }),
      },
    );
    expect(put.status).toBe(200);
    const to = unique("tpl");
    await sdk().send({
      to,
      from: "auth@shop.test",
      templateId: "d-0123456789abcdef0123456789abcdef",
      dynamicTemplateData: { user: { name: "Ada <3" }, url: "https://app.shop.test/reset?t=abc" },
    });
    const [message] = await capturedFor(to);
    expect(message.subject).toBe("Reset for Ada <3");
    expect(message.html).toContain(
      '<a href="https://app.shop.test/reset?t&#x3D;abc">Reset</a> Ada &lt;3',
    );
    expect(message.text.trim()).toBe("Reset: https://app.shop.test/reset?t=abc");

    const missing = unique("missing-tpl");
    const [response] = await sdk().send({
      to: missing,
      from: "auth@shop.test",
      templateId: "d-ffffffffffffffffffffffffffffffff",
    });
    expect(response.statusCode).toBe(202);
    expect(await capturedFor(missing)).toEqual([]);
    expect(await eventsFor(missing)).toMatchObject([
      { type: "dropped", data: { reason: "Invalid template" } },
    ]);

    // A template that fails at render time (an unknown helper) is dropped the same way, never a 500.
    await api(sandbox, "/api/providers/sendgrid/templates/d-broken", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ html: "{{shout name}}" }),
    });
    const broken = unique("broken-tpl");
    const [accepted] = await sdk().send({
      to: broken,
      from: "auth@shop.test",
      templateId: "d-broken",
      dynamicTemplateData: { name: "x" },
    });
    expect(accepted.statusCode).toBe(202);
    expect(await eventsFor(broken)).toMatchObject([
      { type: "dropped", data: { reason: "Invalid template" } },
    ]);
  });

  test("click/open tracking rewrite the delivered links as SendGrid does; asm adds one-click unsubscribe", async () => {
    const to = unique("tracked");
    await sdk().send({
      to,
      from: "auth@shop.test",
      subject: "Reset your password",
      text: "Reset: https://app.shop.test/reset?token=abc&u=1",
      html: '<html><body><a href="https://app.shop.test/reset?token=abc&amp;u=1">Reset password</a></body></html>',
      trackingSettings: {
        clickTracking: { enable: true, enableText: true },
        openTracking: { enable: true },
      },
      asm: { groupId: 42 },
    });
    const message = await waitAnalyzed(to);
    const hrefs = [...message.html.matchAll(/href="([^"]+)"/g)].map((m: RegExpMatchArray) => m[1]);
    expect(hrefs).toHaveLength(1);
    expect(new URL(hrefs[0]).host).toBe("u1234567.ct.sendgrid.net");
    expect(
      Buffer.from(new URL(hrefs[0]).searchParams.get("upn") as string, "base64url").toString(),
    ).toBe("https://app.shop.test/reset?token=abc&u=1");
    expect(message.html).toContain("/wf/open?upn=");
    expect(message.text).toContain("https://u1234567.ct.sendgrid.net/ls/click?upn=");
    const header = (name: string) =>
      message.headers.find((h: { name: string }) => h.name.toLowerCase() === name)?.value;
    expect(header("list-unsubscribe")).toMatch(
      /^<mailto:.+>, <https:\/\/u1234567\.ct\.sendgrid\.net\/lu\/unsubscribe\?oc=.+>$/,
    );
    expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    // The links analysis sees the wrapper, as it would on the production message.
    const checks = message.analysis.links.flatMap(
      (l: { checks: Array<{ rule: string; message: string }> }) => l.checks,
    );
    expect(checks.find((c: { rule: string }) => c.rule === "link.tracking")?.message).toContain(
      "SendGrid click tracking",
    );
  });

  test("mail_settings.sandbox_mode validates and answers 200 without delivering", async () => {
    const to = unique("sandbox-mode");
    const [response] = await sdk().send({
      to,
      from: "a@shop.test",
      subject: "s",
      text: "t",
      mailSettings: { sandboxMode: { enable: true } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-message-id"]).toBeUndefined();
    expect(await capturedFor(to)).toEqual([]);
    const err = await rejection(
      sdk().send({
        to,
        from: "a@shop.test",
        text: "t",
        mailSettings: { sandboxMode: { enable: true } },
      }),
    );
    expect(err.code).toBe(400);
    expect(err.response.body.errors[0].field).toBe("subject");
  });
});

describe("SendGrid account state and failures", () => {
  test("401 for a missing or unknown API key", async () => {
    await setState({ apiKeys: ["SG.good"] });
    const err = await rejection(
      sdk("SG.bad").send({ to: unique("x"), from: "a@shop.test", subject: "s", text: "t" }),
    );
    expect(err.code).toBe(401);
    expect(err.response.body).toEqual({
      errors: [
        {
          message: "The provided authorization grant is invalid, expired, or revoked",
          field: null,
          help: null,
        },
      ],
    });
    const bare = await post("{}", {});
    expect(bare.status).toBe(401);
    expect((await bare.json()).errors[0].message).toBe("authorization required");
  });

  test("403 when the from address is not a verified Sender Identity", async () => {
    await setState({ verifiedSenders: ["shop.test"] });
    const err = await rejection(
      sdk().send({ to: unique("x"), from: "someone@elsewhere.test", subject: "s", text: "t" }),
    );
    expect(err.code).toBe(403);
    expect(err.response.body.errors[0]).toMatchObject({
      field: "from",
      message: expect.stringContaining("does not match a verified Sender Identity"),
    });
    const to = unique("verified");
    await sdk().send({ to, from: "anyone@shop.test", subject: "s", text: "t" });
    expect(await capturedFor(to)).toHaveLength(1);
  });

  test("suppressed recipients are accepted and dropped; the others are delivered", async () => {
    const [kept, suppressed] = [unique("kept"), unique("suppressed")];
    await setState({ suppressions: [suppressed] });
    await sdk().send({ to: [kept, suppressed], from: "a@shop.test", subject: "s", text: "t" });
    const [message] = await capturedFor(kept);
    expect(message.envelope.rcptTo).toEqual([kept]);
    expect(await eventsFor(suppressed)).toMatchObject([
      {
        type: "dropped",
        messageId: null,
        data: { reason: "Unsubscribed Address", status: "5.0.0" },
      },
    ]);
  });

  test("invalid JSON, missing fields and wrong types get SendGrid's 400 error list", async () => {
    const bad = await post("{not json");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      errors: [{ message: "Bad Request", field: null, help: null }],
    });

    const missing = await post(
      JSON.stringify({ subject: 1, personalizations: [{ to: [{ email: "not-an-address" }] }] }),
    );
    expect(missing.status).toBe(400);
    const { errors } = await missing.json();
    const fields = errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(["from.email", "personalizations.0.to.0.email", "subject", "content"]),
    );
    for (const error of errors)
      expect(Object.keys(error).sort()).toEqual(["field", "help", "message"]);

    const types = await post(
      JSON.stringify({
        from: { email: "a@shop.test" },
        personalizations: "x",
        content: [{ type: "text/plain", value: "" }],
        subject: "s",
      }),
    );
    expect(types.status).toBe(400);
    expect((await types.json()).errors.map((e: { field: string }) => e.field)).toEqual([
      "personalizations",
      "content.0.value",
    ]);
  });

  test("rateLimit answers 429 with X-RateLimit headers", async () => {
    await setState({ rateLimit: 1 });
    const send = () =>
      sdk().send({ to: unique("rl"), from: "a@shop.test", subject: "s", text: "t" });
    // Many at once: even on a slow machine several share one second's window.
    const results = await Promise.allSettled(Array.from({ length: 10 }, send));
    const limited = results
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => r.reason);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0].code).toBe(429);
    expect(limited[0].response.body).toEqual({
      errors: [{ message: "too many requests", field: null, help: null }],
    });
    expect(limited[0].response.headers["x-ratelimit-limit"]).toBe("1");
    expect(limited[0].response.headers["x-ratelimit-remaining"]).toBe("0");
  });

  test("fault rules: a 503 twice then success; a hang trips the client's timeout", async () => {
    const to = unique("flaky");
    await setState({ faults: [{ match: { to: "flaky-*" }, status: 503, times: 2 }] });
    const send = () => sdk().send({ to, from: "a@shop.test", subject: "s", text: "t" });
    expect((await rejection(send())).code).toBe(503);
    expect((await rejection(send())).response.body.errors[0].message).toBe("service unavailable");
    const [ok] = await send();
    expect(ok.statusCode).toBe(202);
    expect(await capturedFor(to)).toHaveLength(1);

    const hung = unique("hang");
    await setState({ faults: [{ match: { from: "slow@*" }, hang: true }] });
    const err = await rejection(
      sdk("SG.k", 300).send({ to: hung, from: "slow@shop.test", subject: "s", text: "t" }),
    );
    expect(err.code).toBe("ECONNABORTED");
    expect(await capturedFor(hung)).toEqual([]);

    await setState({ faults: [{ match: { to: "ratelimited-*" }, status: 429, retryAfter: 7 }] });
    const limited = await rejection(
      sdk().send({ to: unique("ratelimited"), from: "a@shop.test", subject: "s", text: "t" }),
    );
    expect(limited.code).toBe(429);
    expect(limited.response.headers["retry-after"]).toBe("7");
  });
});

describe("SendGrid webhooks and DKIM", () => {
  test("events are POSTed as a SendGrid event array, retried with backoff after a failure", async () => {
    receiver.answerWith([500]);
    await setState({
      webhookUrl: `${receiver.url}/sendgrid-events`,
      webhookRetry: { attempts: 3, delayMs: 20 },
    });
    const to = unique("hook");
    const [response] = await sdk().send({
      to,
      from: "a@shop.test",
      subject: "s",
      text: "t",
      categories: ["welcome"],
      customArgs: { user_id: "42" },
    });
    const requests = await receiver.waitFor(2, "/sendgrid-events");
    expect(requests.map((r) => r.status)).toEqual([500, 200]);
    expect(requests[0].body).toBe(requests[1].body);
    const events = JSON.parse(requests[1].body);
    expect(events.map((e: { event: string }) => e.event)).toEqual(["processed", "delivered"]);
    expect(events[1]).toMatchObject({
      email: to,
      category: ["welcome"],
      user_id: "42",
      sg_message_id: expect.stringContaining(response.headers["x-message-id"]),
    });
    expect(typeof events[1].timestamp).toBe("number");

    const { body } = await api(sandbox, "/api/providers/sendgrid/webhooks");
    const attempts = body.attempts.filter((a: { url: string }) =>
      a.url.endsWith("/sendgrid-events"),
    );
    expect(
      attempts.map((a: { attempt: number; ok: boolean; status: number }) => [
        a.attempt,
        a.ok,
        a.status,
      ]),
    ).toEqual([
      [1, false, 500],
      [2, true, 200],
    ]);
  });

  test("with an EC private key as webhookSecret, POSTs carry a verifiable Signed Event Webhook signature", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    await setState({
      webhookUrl: `${receiver.url}/sendgrid-signed`,
      webhookSecret: privateKey.export({ type: "pkcs8", format: "pem" }),
    });
    await sdk().send({ to: unique("signed"), from: "a@shop.test", subject: "s", text: "t" });
    const [request] = await receiver.waitFor(1, "/sendgrid-signed");
    const signature = String(request.headers["x-twilio-email-event-webhook-signature"]);
    const timestamp = String(request.headers["x-twilio-email-event-webhook-timestamp"]);
    // What SendGrid's EventWebhook.verifySignature does: ECDSA SHA-256 over timestamp + payload.
    const verify = (payload: string) =>
      createVerify("sha256")
        .update(timestamp + payload)
        .verify(publicKey, signature, "base64");
    expect(verify(request.body)).toBe(true);
    expect(verify(request.body.replace("processed", "Processed"))).toBe(false);
    await setState({ webhookSecret: null });
  });

  test("an authenticated sender domain is DKIM-signed and passes; otherwise SendGrid's own domain signs", async () => {
    await setState({
      dkim: {
        "shop.test": { selector: "s1", privateKey: fixture("keys/shop-s1.pem") },
        "sendgrid.net": { selector: "s1", privateKey: fixture("keys/esp-s1.pem") },
      },
    });
    const to = unique("dkim");
    await sdk().send({ to, from: "billing@shop.test", subject: "Signed", text: "t" });
    const signed = await waitAnalyzed(to);
    expect(
      signed.headers.find((h: { name: string }) => h.name === "DKIM-Signature")?.value,
    ).toContain("d=shop.test");
    expect(signed.analysis.auth.dkim[0]).toMatchObject({
      domain: "shop.test",
      result: "pass",
      aligned: true,
    });

    const other = unique("dkim-esp");
    await sdk().send({
      to: other,
      from: "billing@unauthenticated.test",
      subject: "Signed by ESP",
      text: "t",
    });
    const esp = await waitAnalyzed(other);
    expect(esp.headers.find((h: { name: string }) => h.name === "DKIM-Signature")?.value).toContain(
      "d=sendgrid.net",
    );
    expect(esp.analysis.auth.dkim[0]).toMatchObject({ domain: "sendgrid.net", aligned: false });
  });
});

describe("SendGrid wire format (fixtures, plain HTTP)", () => {
  test("a body above 30 MB is refused with 413 before it is read", async () => {
    const big = await post(JSON.stringify({ pad: "x".repeat(30 * 1024 * 1024 + 1) }));
    expect(big.status).toBe(413);
    expect((await big.json()).errors[0].message).toContain("too large");
  });

  test("fixtures/providers/sendgrid: a valid body answers 202, an invalid one SendGrid's error list", async () => {
    const to = unique("fixture");
    const ok = await post(fixture("providers/sendgrid/mail-send.json").replace("RECIPIENT", to));
    expect(ok.status).toBe(202);
    expect(await ok.text()).toBe("");
    const [message] = await capturedFor(to);
    expect(message.source.providerMessageId).toBe(ok.headers.get("x-message-id"));
    expect(message.subject).toBe("Your code is 493817");
    expect(message.to).toEqual([{ name: "Ada Lovelace", address: to }]);

    const bad = await post(fixture("providers/sendgrid/mail-send-invalid.json"));
    expect(bad.status).toBe(400);
    const fields = (await bad.json()).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(["from.email", "personalizations.0.to.0.email", "subject", "content"]),
    );
  });
});

async function waitAnalyzed(address: string) {
  const [summary] = await capturedFor(address);
  const { body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${address}`)}&after=${encodeURIComponent(new Date(0).toISOString())}`,
  );
  expect(body.id).toBe(summary.id);
  for (let i = 0; i < 100; i++) {
    const { body: message } = await api(sandbox, `/api/messages/${summary.id}`);
    if (message.analysis.status === "done") return message;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("analysis did not finish");
}
