import { readFileSync } from "node:fs";
import { ServerClient, Errors } from "postmark";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";
import { providerHelpers, rejection } from "../helpers/providers.js";

let sandbox: Sandbox;
const helpers = providerHelpers(() => sandbox, "postmark");
const setState = helpers.setState.bind(helpers);
const waitFor = helpers.waitFor.bind(helpers);
const capturedFor = helpers.capturedFor.bind(helpers);
const eventsFor = helpers.eventsFor.bind(helpers);
let receiver: WebhookReceiver;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@postmark.test`;
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/providers/postmark/${name}`, import.meta.url), "utf8");

/** The official SDK pointed at the mock, as docs/providers/postmark.md tells users to. */
const client = (token = "server-token", timeoutSeconds?: number) =>
  new ServerClient(token, {
    requestHost: `${new URL(sandbox.url).host}/postmark`,
    useHttps: false,
    ...(timeoutSeconds ? { timeout: timeoutSeconds } : {}),
  });

const post = (path: string, body: string, token = "server-token") =>
  fetch(`${sandbox.url}/postmark${path}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      "x-postmark-server-token": token,
    },
  });

beforeAll(async () => {
  sandbox = await startTestSandbox({
    dnsZone: JSON.parse(
      readFileSync(new URL("../../fixtures/dns/auth-zone.json", import.meta.url), "utf8"),
    ),
  });
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
    pendingSenders: [],
    sandbox: false,
    suppressions: [],
    rateLimit: null,
    faults: [],
    webhookUrl: null,
  }),
);

describe("Postmark email API with the postmark SDK", () => {
  test("sendEmail with html, text, attachment, cc/bcc, reply-to, headers, tag and metadata", async () => {
    const [to, cc, bcc] = [unique("to"), unique("cc"), unique("bcc")];
    const result = await client().sendEmail({
      From: "Shop <billing@shop.test>",
      To: `Ada Lovelace <${to}>`,
      Cc: cc,
      Bcc: bcc,
      ReplyTo: "support@shop.test",
      Subject: "Invoice #7",
      HtmlBody: "<p>Invoice <b>7</b></p>",
      TextBody: "Invoice 7",
      Tag: "invoice",
      Headers: [{ Name: "X-Invoice", Value: "7" }],
      Metadata: { tenant: "acme" },
      Attachments: [
        {
          Name: "invoice.pdf",
          Content: Buffer.from("%PDF-1.4 fake").toString("base64"),
          ContentType: "application/pdf",
          ContentID: null,
        },
        {
          Name: "logo.gif",
          Content: Buffer.from("GIF89a").toString("base64"),
          ContentType: "image/gif",
          ContentID: "cid:logo",
        },
      ],
      MessageStream: "outbound",
    });
    expect(result).toMatchObject({ To: to, ErrorCode: 0, Message: "OK" });
    expect(result.MessageID).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(new Date(result.SubmittedAt).getTime()).not.toBeNaN();

    const message = await waitFor(to);
    expect(message.source).toEqual({ kind: "postmark", providerMessageId: result.MessageID });
    expect(message.messageId).toBe(`${result.MessageID}@mtasv.net`);
    expect(message.from).toEqual({ name: "Shop", address: "billing@shop.test" });
    expect(message.to).toEqual([{ name: "Ada Lovelace", address: to }]);
    expect(message.envelope.rcptTo).toEqual([to, cc, bcc]);
    expect(message.envelope.mailFrom).toBe("pm_bounces@pm.mtasv.net");
    expect(message.headers.map((h: { name: string }) => h.name.toLowerCase())).not.toContain("bcc");
    // Header names are case-insensitive (RFC 5322 §1.2.2); MailComposer writes "X-Pm-Tag".
    const header = (name: string) =>
      message.headers.find((h: { name: string }) => h.name.toLowerCase() === name.toLowerCase())
        ?.value;
    expect([header("X-Invoice"), header("X-PM-Tag"), header("X-PM-Message-Id")]).toEqual([
      "7",
      "invoice",
      result.MessageID,
    ]);
    expect(message.replyTo).toEqual([{ name: null, address: "support@shop.test" }]);
    expect(message.attachments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          filename: "invoice.pdf",
          contentType: "application/pdf",
          inline: false,
        }),
        expect.objectContaining({ filename: "logo.gif", contentId: "logo", inline: true }),
      ]),
    );
    expect(message.tags).toEqual(["invoice"]);

    const events = await eventsFor(to);
    expect(events).toMatchObject([
      {
        type: "Delivery",
        providerMessageId: result.MessageID,
        messageId: message.id,
        data: { RecordType: "Delivery", Tag: "invoice", Metadata: { tenant: "acme" } },
      },
    ]);
  });

  test("sendEmailBatch answers per message: successes and failures side by side", async () => {
    const [a, b] = [unique("batch-a"), unique("batch-b")];
    await setState({ suppressions: [b] });
    const results = await client().sendEmailBatch([
      { From: "a@shop.test", To: a, Subject: "one", TextBody: "1" },
      { From: "a@shop.test", To: b, Subject: "two", TextBody: "2" },
      { From: "a@shop.test", To: a, Subject: "three" },
    ]);
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ ErrorCode: 0, Message: "OK", To: a });
    expect(results[1]).toMatchObject({ ErrorCode: 406 });
    expect(results[1].Message).toContain(`Found inactive addresses: ${b}.`);
    expect(results[2]).toEqual({
      ErrorCode: 300,
      Message: "Provide either email TextBody or HtmlBody or both.",
    });
    expect((await capturedFor(a)).map((m: { subject: string }) => m.subject)).toEqual(["one"]);
  });

  test("sendEmailWithTemplate renders Mustachio-style templates by id and alias; unknown templates fail", async () => {
    await api(sandbox, "/api/providers/postmark/templates/1234", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        alias: "welcome",
        subject: "Welcome {{name}}",
        html: "<h1>Hi {{name}}</h1>{{#items}}<li>{{title}}</li>{{/items}}{{{raw}}}",
        text: "Hi {{name}}",
      }),
    });
    const to = unique("tpl");
    const model = { name: "Ada & co", items: [{ title: "one" }, { title: "two" }], raw: "<hr>" };
    const byId = await client().sendEmailWithTemplate({
      From: "a@shop.test",
      To: to,
      TemplateId: 1234,
      TemplateModel: model,
    });
    const byAlias = await client().sendEmailWithTemplate({
      From: "a@shop.test",
      To: to,
      TemplateAlias: "welcome",
      TemplateModel: model,
    });
    const messages = await capturedFor(to);
    expect(
      messages
        .map((m: { source: { providerMessageId: string } }) => m.source.providerMessageId)
        .sort(),
    ).toEqual([byId.MessageID, byAlias.MessageID].sort());
    expect(messages[0].subject).toBe("Welcome Ada & co");
    expect(messages[0].html).toContain("<h1>Hi Ada &amp; co</h1><li>one</li><li>two</li><hr>");
    expect(messages[0].text.trim()).toBe("Hi Ada & co");

    const err = await rejection(
      client().sendEmailWithTemplate({
        From: "a@shop.test",
        To: to,
        TemplateAlias: "nope",
        TemplateModel: {},
      }),
    );
    expect(err).toBeInstanceOf(Errors.ApiInputError);
    expect([err.statusCode, err.code]).toEqual([422, 1101]);
  });

  test("TrackLinks and TrackOpens rewrite the delivered message as Postmark does", async () => {
    const to = unique("tracked");
    await client().sendEmail({
      From: "a@shop.test",
      To: to,
      Subject: "Verify",
      HtmlBody: '<p><a href="https://app.shop.test/verify?t=1">Verify</a></p>',
      TextBody: "Verify: https://app.shop.test/verify?t=1",
      TrackLinks: "HtmlOnly" as any,
      TrackOpens: true,
    });
    const [message] = await capturedFor(to);
    expect(message.html).toContain(
      'href="https://click.pstmrk.it/3s/app.shop.test%2Fverify%3Ft%3D1/',
    );
    expect(message.html).toContain("https://ea.pstmrk.it/open?m=");
    expect(message.text).toContain("Verify: https://app.shop.test/verify?t=1");
  });

  test("POSTMARK_API_TEST validates and delivers nothing", async () => {
    const to = unique("test-token");
    const result = await client("POSTMARK_API_TEST").sendEmail({
      From: "a@shop.test",
      To: to,
      Subject: "s",
      TextBody: "t",
    });
    expect(result).toMatchObject({
      To: to,
      ErrorCode: 0,
      Message: "Test job accepted",
      MessageID: "00000000-0000-0000-0000-000000000000",
    });
    expect(await capturedFor(to)).toEqual([]);
  });

  test("the bounce-testing black hole domain bounces, and a hard bounce deactivates the address", async () => {
    const bounced = "HardBounce@bounce-testing.postmarkapp.com";
    await setState({ webhookUrl: `${receiver.url}/postmark-bounce` });
    const result = await client().sendEmail({
      From: "a@shop.test",
      To: bounced,
      Subject: "s",
      TextBody: "t",
    });
    const [hook] = await receiver.waitFor(1, "/postmark-bounce");
    expect(JSON.parse(hook.body)).toMatchObject({
      RecordType: "Bounce",
      Type: "HardBounce",
      TypeCode: 1,
      MessageID: result.MessageID,
      Email: bounced,
      Inactive: true,
    });
    const again = await rejection(
      client().sendEmail({ From: "a@shop.test", To: bounced, Subject: "s", TextBody: "t" }),
    );
    expect(again).toBeInstanceOf(Errors.InactiveRecipientsError);
    expect(again.recipients).toEqual([bounced]);
  });
});

describe("Postmark account state and failures", () => {
  test("401 ErrorCode 10 for a missing or unknown server token", async () => {
    await setState({ apiKeys: ["good-token"] });
    const err = await rejection(
      client("bad-token").sendEmail({
        From: "a@shop.test",
        To: unique("x"),
        Subject: "s",
        TextBody: "t",
      }),
    );
    expect(err).toBeInstanceOf(Errors.InvalidAPIKeyError);
    expect([err.statusCode, err.code]).toEqual([401, 10]);
    const bare = await fetch(`${sandbox.url}/postmark/email`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(bare.status).toBe(401);
    expect((await bare.json()).ErrorCode).toBe(10);
  });

  test("422 ErrorCode 400 for an unknown sender signature, 401 for an unconfirmed one, 412 for a pending account", async () => {
    await setState({ verifiedSenders: ["shop.test"] });
    const err = await rejection(
      client().sendEmail({ From: "x@other.test", To: unique("x"), Subject: "s", TextBody: "t" }),
    );
    expect([err.statusCode, err.code]).toEqual([422, 400]);
    expect(err.message).toContain("is not a Sender Signature on your account");

    await setState({ verifiedSenders: ["shop.test"], pendingSenders: ["new@shop.test"] });
    const pendingSender = await rejection(
      client().sendEmail({ From: "new@shop.test", To: unique("x"), Subject: "s", TextBody: "t" }),
    );
    expect([pendingSender.statusCode, pendingSender.code]).toEqual([422, 401]);

    await setState({ verifiedSenders: ["shop.test"], pendingSenders: [], sandbox: true });
    const pending = await rejection(
      client().sendEmail({
        From: "a@shop.test",
        To: unique("outside"),
        Subject: "s",
        TextBody: "t",
      }),
    );
    expect([pending.statusCode, pending.code]).toEqual([422, 412]);
    const inside = "colleague@shop.test";
    await client().sendEmail({
      From: "a@shop.test",
      To: inside,
      Subject: "pending ok",
      TextBody: "t",
    });
    expect(
      (await capturedFor(inside)).some((m: { subject: string }) => m.subject === "pending ok"),
    ).toBe(true);
  });

  test("invalid JSON, bad addresses and wrong types get Postmark's 422 with ErrorCode", async () => {
    const bad = await post("/email", "{nope");
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ ErrorCode: 402, Message: "Received invalid JSON input." });
    const noRecipients = await post(
      "/email",
      JSON.stringify({ From: "a@shop.test", TextBody: "t" }),
    );
    expect(await noRecipients.json()).toEqual({
      ErrorCode: 300,
      Message: "Zero recipients specified",
    });
    const badTo = await post(
      "/email",
      JSON.stringify({ From: "a@shop.test", To: "not-an-address", TextBody: "t" }),
    );
    expect((await badTo.json()).Message).toBe(
      "Error parsing 'To': Illegal email address 'not-an-address'. It must contain the '@' symbol.",
    );
    const types = await post(
      "/email",
      JSON.stringify({ From: "a@shop.test", To: "b@shop.test", TextBody: 5 }),
    );
    expect(types.status).toBe(422);
    expect((await types.json()).ErrorCode).toBe(403);
    const notArray = await post("/email/batch", JSON.stringify({ From: "a@shop.test" }));
    expect([notArray.status, (await notArray.json()).ErrorCode]).toEqual([422, 403]);
  });

  test("rate limit and fault rules answer like Postmark; a hang trips the SDK timeout", async () => {
    await setState({ rateLimit: 1 });
    const send = () =>
      client().sendEmail({ From: "a@shop.test", To: unique("rl"), Subject: "s", TextBody: "t" });
    // Many at once: even on a slow machine several share one second's window.
    const results = await Promise.allSettled(Array.from({ length: 10 }, send));
    const limited = results
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => r.reason);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]).toBeInstanceOf(Errors.RateLimitExceededError);

    const to = unique("maint");
    await setState({
      rateLimit: null,
      faults: [{ match: { to: "maint-*" }, status: 503, times: 1 }],
    });
    const down = await rejection(
      client().sendEmail({ From: "a@shop.test", To: to, Subject: "s", TextBody: "t" }),
    );
    expect(down).toBeInstanceOf(Errors.ServiceUnavailablerError);
    await client().sendEmail({ From: "a@shop.test", To: to, Subject: "s", TextBody: "t" });
    expect(await capturedFor(to)).toHaveLength(1);

    await setState({ faults: [{ match: { from: "hang@*" }, hang: true }] });
    const hung = await rejection(
      client("server-token", 0.3).sendEmail({
        From: "hang@shop.test",
        To: unique("h"),
        Subject: "s",
        TextBody: "t",
      }),
    );
    expect(hung).toBeInstanceOf(Errors.PostmarkError);
    expect(hung.statusCode).toBe(0);
  });

  test("Delivery webhooks are POSTed one per recipient and retried after a failure", async () => {
    receiver.answerWith([503]);
    await setState({
      webhookUrl: `${receiver.url}/postmark-delivery`,
      webhookRetry: { attempts: 3, delayMs: 20 },
    });
    const [to, cc] = [unique("hook"), unique("hook-cc")];
    const result = await client().sendEmail({
      From: "a@shop.test",
      To: to,
      Cc: cc,
      Subject: "s",
      TextBody: "t",
      Metadata: { order: "9" },
    });
    const requests = await receiver.waitFor(3, "/postmark-delivery");
    const delivered = requests.filter((r) => r.status === 200).map((r) => JSON.parse(r.body));
    expect(delivered.map((d) => d.Recipient).sort()).toEqual([to, cc].sort());
    expect(delivered[0]).toMatchObject({
      RecordType: "Delivery",
      MessageID: result.MessageID,
      MessageStream: "outbound",
      Metadata: { order: "9" },
    });
    expect(requests.filter((r) => r.status === 503)).toHaveLength(1);
  });
});

describe("Postmark wire format (fixtures, plain HTTP)", () => {
  test("fixtures/providers/postmark: /email and /email/batch answer like Postmark", async () => {
    const to = unique("fixture");
    const single = await post("/email", fixture("email.json").replace("RECIPIENT", to));
    expect(single.status).toBe(200);
    const result = await single.json();
    expect(Object.keys(result).sort()).toEqual([
      "ErrorCode",
      "Message",
      "MessageID",
      "SubmittedAt",
      "To",
    ]);
    const [message] = await capturedFor(to);
    expect(message.attachments).toMatchObject([{ filename: "invoice.txt", size: 9 }]);

    const batch = await post(
      "/email/batch",
      fixture("email-batch.json").replaceAll("RECIPIENT", to),
    );
    const results = await batch.json();
    expect(batch.status).toBe(200);
    expect(results.map((r: { ErrorCode: number }) => r.ErrorCode)).toEqual([0, 300]);
  });
});

describe("Postmark DKIM", () => {
  test("an authenticated domain is signed with its key and Postmark's own pm.mtasv.net signature is added", async () => {
    const key = (name: string) =>
      readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), "utf8");
    await setState({
      dkim: {
        "shop.test": { selector: "s1", privateKey: key("shop-s1.pem") },
        "pm.mtasv.net": { selector: "pm", privateKey: key("esp-s1.pem") },
      },
    });
    const to = unique("dkim");
    await client().sendEmail({
      From: "billing@shop.test",
      To: to,
      Subject: "Signed twice",
      TextBody: "t",
    });
    const [summary] = await capturedFor(to);
    let message = summary;
    for (let i = 0; i < 100 && message.analysis.status !== "done"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      message = (await api(sandbox, `/api/messages/${summary.id}`)).body;
    }
    const signatures = message.headers
      .filter((h: { name: string }) => h.name === "DKIM-Signature")
      .map((h: { value: string }) => /\bd=([^;\s]+)/.exec(h.value)?.[1]);
    expect(signatures.sort()).toEqual(["pm.mtasv.net", "shop.test"]);
    expect(message.analysis.auth.dkim).toContainEqual(
      expect.objectContaining({ domain: "shop.test", result: "pass", aligned: true }),
    );
    await setState({ dkim: {} });
  });
});
