import { readFileSync } from "node:fs";
import { Resend } from "resend";
import { beforeEach, describe, expect, test } from "vitest";
import { api } from "../helpers/sandbox.js";
import { useWebhookSandbox } from "../helpers/webhook-receiver.js";
import { providerHelpers } from "../helpers/providers.js";

const hooks = useWebhookSandbox();

const helpers = providerHelpers(() => hooks.sandbox, "resend");
const setState = helpers.setState.bind(helpers);
const waitFor = helpers.waitFor.bind(helpers);
const capturedFor = helpers.capturedFor.bind(helpers);
const events = helpers.events.bind(helpers);
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@resend.test`;

/** The official SDK pointed at the mock, as docs/providers/resend.md tells users to. */
const client = (key = "re_test_key") => new Resend(key, { baseUrl: `${hooks.sandbox.url}/resend` });

const post = (
  path: string,
  body: string,
  headers: Record<string, string> = { authorization: "Bearer re_x" },
) =>
  fetch(`${hooks.sandbox.url}/resend${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
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
    webhookSecret: null,
  }),
);

describe("Resend emails API with the resend SDK", () => {
  test("emails.send with html, text, attachment, cc/bcc, reply-to, headers and tags; GET /emails/:id", async () => {
    const [to, cc, bcc] = [unique("to"), unique("cc"), unique("bcc")];
    const { data, error, headers } = await client().emails.send({
      from: "Acme <billing@shop.test>",
      to: [to],
      cc,
      bcc: [bcc],
      replyTo: "support@shop.test",
      subject: "Receipt #12",
      html: "<p>Thanks for your <b>order</b></p>",
      text: "Thanks for your order",
      headers: { "X-Entity-Ref-ID": "order-12" },
      tags: [{ name: "category", value: "receipt" }],
      attachments: [
        {
          filename: "receipt.pdf",
          content: Buffer.from("%PDF-1.4 fake"),
          contentType: "application/pdf",
        },
        {
          filename: "logo.gif",
          content: Buffer.from("GIF89a"),
          contentType: "image/gif",
          contentId: "logo",
        },
      ],
    });
    expect(error).toBeNull();
    expect(data?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers?.["content-type"]).toContain("application/json");

    const message = await waitFor(to);
    expect(message.source).toEqual({ kind: "resend", providerMessageId: data!.id });
    expect(message.from).toEqual({ name: "Acme", address: "billing@shop.test" });
    expect(message.envelope.rcptTo).toEqual([to, cc, bcc]);
    expect(message.envelope.mailFrom).toMatch(/@send\.shop\.test$/);
    expect(message.messageId).toMatch(/@email\.amazonses\.com$/);
    expect(message.replyTo).toEqual([{ name: null, address: "support@shop.test" }]);
    expect(message.headers).toContainEqual({ name: "X-Entity-Ref-ID", value: "order-12" });
    expect(message.attachments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          filename: "receipt.pdf",
          contentType: "application/pdf",
          size: 13,
          inline: false,
        }),
        expect.objectContaining({ filename: "logo.gif", contentId: "logo", inline: true }),
      ]),
    );
    expect(message.tags).toEqual(["category:receipt"]);

    const got = await client().emails.get(data!.id);
    expect(got.error).toBeNull();
    expect(got.data).toMatchObject({
      object: "email",
      id: data!.id,
      to: [to],
      cc: [cc],
      bcc: [bcc],
      from: "Acme <billing@shop.test>",
      subject: "Receipt #12",
      last_event: "delivered",
      reply_to: ["support@shop.test"],
    });
    const missing = await client().emails.get("00000000-0000-4000-8000-000000000000");
    expect(missing.error).toEqual({
      statusCode: 404,
      name: "not_found",
      message: "Email not found",
    });
  });

  test("RESEND_BASE_URL points the SDK at the mock too", async () => {
    const before = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = `${hooks.sandbox.url}/resend`;
    try {
      const to = unique("env");
      const { data } = await new Resend("re_env").emails.send({
        from: "a@shop.test",
        to,
        subject: "env",
        text: "t",
      });
      expect((await capturedFor(to))[0].source.providerMessageId).toBe(data!.id);
    } finally {
      if (before === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = before;
    }
  });

  test("batch.send: strict fails the whole batch on one invalid email; permissive sends the valid ones", async () => {
    const [a, b] = [unique("batch-a"), unique("batch-b")];
    const ok = await client().batch.send([
      { from: "a@shop.test", to: a, subject: "one", text: "1" },
      { from: "a@shop.test", to: b, subject: "two", html: "<p>2</p>" },
    ]);
    expect(ok.error).toBeNull();
    expect(ok.data?.data).toHaveLength(2);
    expect((await capturedFor(b))[0].source.providerMessageId).toBe(ok.data!.data[1].id);

    const c = unique("batch-c");
    const strict = await client().batch.send([
      { from: "a@shop.test", to: c, subject: "ok", text: "x" },
      { from: "a@shop.test", to: c, text: "no subject" } as any,
    ]);
    expect(strict.error).toEqual({
      statusCode: 422,
      name: "missing_required_field",
      message: "Missing `subject` field.",
    });
    expect(await capturedFor(c)).toEqual([]);

    const permissive = await client().batch.send(
      [
        { from: "a@shop.test", to: c, subject: "kept", text: "x" },
        { from: "not an address", to: c, subject: "bad", text: "x" },
      ],
      { batchValidation: "permissive" },
    );
    expect(permissive.data?.data).toHaveLength(1);
    expect((permissive.data as any).errors).toEqual([
      { index: 1, message: expect.stringContaining("Invalid `from` field") },
    ]);
    expect((await capturedFor(c)).map((m: { subject: string }) => m.subject)).toEqual(["kept"]);
  });

  test("templates render their variables; an unknown template is not found", async () => {
    await api(hooks.sandbox, "/api/providers/resend/templates/welcome-v1", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        subject: "Welcome {{{NAME}}}",
        html: "<p>Hi {{{NAME}}}, your code is <b>{{{CODE}}}</b></p>",
      }),
    });
    const to = unique("tpl");
    const sent = await client().emails.send({
      from: "a@shop.test",
      to,
      template: { id: "welcome-v1", variables: { NAME: "Ada", CODE: 493817 } },
    });
    expect(sent.error).toBeNull();
    const [message] = await capturedFor(to);
    expect(message.subject).toBe("Welcome Ada");
    expect(message.html).toContain("your code is <b>493817</b>");
    const missing = await client().emails.send({
      from: "a@shop.test",
      to,
      template: { id: "nope", variables: {} },
    });
    expect(missing.error).toMatchObject({ statusCode: 404, name: "not_found" });
    await api(hooks.sandbox, "/api/providers/resend/templates/broken", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ html: "{{shout NAME}}" }),
    });
    const broken = await client().emails.send({
      from: "a@shop.test",
      to,
      template: { id: "broken", variables: { NAME: "x" } },
    });
    expect(broken.error).toMatchObject({ statusCode: 422, name: "validation_error" });
  });

  test("Idempotency-Key replays the first answer and refuses a different payload", async () => {
    const to = unique("idem");
    const email = { from: "a@shop.test", to, subject: "once", text: "t" };
    const first = await client().emails.send(email, { idempotencyKey: `key-${to}` });
    const second = await client().emails.send(email, { idempotencyKey: `key-${to}` });
    expect(second.data?.id).toBe(first.data?.id);
    expect(await capturedFor(to)).toHaveLength(1);
    const changed = await client().emails.send(
      { ...email, subject: "twice" },
      { idempotencyKey: `key-${to}` },
    );
    expect(changed.error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });
  });
});

describe("Resend simulator addresses, state and failures", () => {
  test("delivered@, bounced@, complained@ and suppressed@resend.dev (with +label) produce their events", async () => {
    const label = `+t${Date.now()}`;
    const addresses = ["delivered", "bounced", "complained", "suppressed"].map(
      (kind) => `${kind}${label}@resend.dev`,
    );
    const { data } = await client().emails.send({
      from: "onboarding@resend.dev",
      to: addresses,
      subject: "simulate",
      text: "t",
    });
    const log = await events(`providerMessageId=${data!.id}`);
    const byRecipient = (r: string) => log.filter((e) => e.recipient === r).map((e) => e.type);
    expect(log[0].type).toBe("email.sent");
    expect(byRecipient(addresses[0])).toEqual(["email.delivered"]);
    expect(byRecipient(addresses[1])).toEqual(["email.bounced"]);
    expect(byRecipient(addresses[2])).toEqual(["email.delivered", "email.complained"]);
    expect(byRecipient(addresses[3])).toEqual(["email.suppressed"]);
    expect(log.find((e) => e.type === "email.bounced")?.data.data.bounce).toMatchObject({
      type: "Permanent",
    });
    const [message] = await capturedFor(addresses[0]);
    expect(message.envelope.rcptTo).toEqual([addresses[0], addresses[2]]);
  });

  test("401 missing key, 403 invalid key, 403 unverified domain, 403 testing-only account", async () => {
    const bare = await post("/emails", "{}", {});
    expect([bare.status, await bare.json()]).toEqual([
      401,
      {
        statusCode: 401,
        name: "missing_api_key",
        message: "Missing API key in the authorization header.",
      },
    ]);
    await setState({ apiKeys: ["re_good"] });
    const bad = await client("re_bad").emails.send({
      from: "a@shop.test",
      to: unique("x"),
      subject: "s",
      text: "t",
    });
    expect(bad.error).toEqual({
      statusCode: 403,
      name: "invalid_api_key",
      message: "API key is invalid",
    });

    await setState({ apiKeys: null, verifiedSenders: ["shop.test", "owner@shop.test"] });
    const domain = await client().emails.send({
      from: "a@unverified.test",
      to: unique("x"),
      subject: "s",
      text: "t",
    });
    expect(domain.error).toMatchObject({
      statusCode: 403,
      name: "validation_error",
      message: expect.stringContaining("The unverified.test domain is not verified"),
    });

    await setState({ sandbox: true, verifiedSenders: ["owner@shop.test"] });
    const testing = await client().emails.send({
      from: "onboarding@resend.dev",
      to: unique("stranger"),
      subject: "s",
      text: "t",
    });
    expect(testing.error).toMatchObject({
      statusCode: 403,
      message: expect.stringContaining(
        "You can only send testing emails to your own email address (owner@shop.test)",
      ),
    });
  });

  test("validation errors: invalid JSON, missing and mistyped fields", async () => {
    const badJson = await post("/emails", "{oops");
    expect([badJson.status, (await badJson.json()).name]).toEqual([400, "validation_error"]);
    const noTo = await post(
      "/emails",
      JSON.stringify({ from: "a@shop.test", subject: "s", text: "t" }),
    );
    expect(await noTo.json()).toEqual({
      statusCode: 422,
      name: "missing_required_field",
      message: "Missing `to` field.",
    });
    const typed = await post(
      "/emails",
      JSON.stringify({ from: "a@shop.test", to: 42, subject: "s", text: "t" }),
    );
    expect([typed.status, (await typed.json()).name]).toEqual([422, "validation_error"]);
    const badId = await fetch(`${hooks.sandbox.url}/resend/emails/not-a-uuid`, {
      headers: { authorization: "Bearer re_x" },
    });
    expect([badId.status, (await badId.json()).name]).toEqual([422, "invalid_parameter"]);
  });

  test("rateLimit answers 429 with ratelimit-* and retry-after; fault rules answer 5xx or hang", async () => {
    await setState({ rateLimit: 2 });
    // Many at once: even on a slow machine several share one second's window.
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        client().emails.send({ from: "a@shop.test", to: unique("rl"), subject: "s", text: "t" }),
      ),
    );
    const limited = results.filter((r) => r.error);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0].error).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
    expect(limited[0].headers).toMatchObject({
      "ratelimit-limit": "2",
      "ratelimit-remaining": "0",
      "retry-after": expect.stringMatching(/^\d+$/),
    });

    await setState({
      rateLimit: null,
      faults: [{ match: { to: "down-*" }, status: 500, times: 1 }],
    });
    const to = unique("down");
    const down = await client().emails.send({ from: "a@shop.test", to, subject: "s", text: "t" });
    expect(down.error).toMatchObject({ statusCode: 500, name: "internal_server_error" });
    expect(
      (await client().emails.send({ from: "a@shop.test", to, subject: "s", text: "t" })).error,
    ).toBeNull();

    await setState({ faults: [{ match: { from: "*@hang.test" }, hang: true }] });
    const hung = await client().emails.send(
      { from: "a@hang.test", to: unique("h"), subject: "s", text: "t" },
      { signal: AbortSignal.timeout(300) },
    );
    expect(hung.error).toMatchObject({ statusCode: null, name: "application_error" });
  });

  test("a retrying client that honours retry-after gets through a 429 and sends exactly once", async () => {
    const to = unique("retry");
    await setState({
      faults: [{ match: { to: "retry-*" }, status: 429, retryAfter: 1, times: 1 }],
    });
    const waits: number[] = [];
    let result = await client().emails.send({
      from: "a@shop.test",
      to,
      subject: "retried",
      text: "t",
    });
    while (result.error?.statusCode === 429) {
      const seconds = Number(result.headers?.["retry-after"]);
      waits.push(seconds);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      result = await client().emails.send({
        from: "a@shop.test",
        to,
        subject: "retried",
        text: "t",
      });
    }
    expect(waits).toEqual([1]);
    expect(result.error).toBeNull();
    expect((await capturedFor(to)).map((m: { subject: string }) => m.subject)).toEqual(["retried"]);
  });

  test("webhooks are signed like Standard Webhooks and verify with the SDK; failures are retried", async () => {
    const secret = `whsec_${Buffer.from("a-test-secret-for-resend-hooks").toString("base64")}`;
    hooks.receiver.answerWith([500]);
    await setState({
      webhookUrl: `${hooks.receiver.url}/resend-hooks`,
      webhookSecret: secret,
      webhookRetry: { attempts: 2, delayMs: 20 },
    });
    const to = unique("hook");
    const { data } = await client().emails.send({
      from: "a@shop.test",
      to,
      subject: "hooked",
      text: "t",
      tags: [{ name: "flow", value: "signup" }],
    });
    const requests = await hooks.receiver.waitFor(3, "/resend-hooks");
    const delivered = requests.filter((r) => r.status === 200);
    const payloads = delivered.map((r) =>
      client().webhooks.verify({
        payload: r.body,
        headers: {
          id: String(r.headers["svix-id"]),
          timestamp: String(r.headers["svix-timestamp"]),
          signature: String(r.headers["svix-signature"]),
        },
        webhookSecret: secret,
      }),
    );
    expect(payloads.map((p: any) => p.type).sort()).toEqual(["email.delivered", "email.sent"]);
    expect(payloads[0]).toMatchObject({
      data: { email_id: data!.id, to: [to], subject: "hooked", tags: { flow: "signup" } },
    });
    expect(() =>
      client().webhooks.verify({
        payload: delivered[0].body,
        headers: {
          id: String(delivered[0].headers["svix-id"]),
          timestamp: String(delivered[0].headers["svix-timestamp"]),
          signature: "v1,AAAA",
        },
        webhookSecret: secret,
      }),
    ).toThrow();
    const { body } = await api(hooks.sandbox, "/api/providers/resend/webhooks");
    expect(
      body.attempts.filter(
        (a: { ok: boolean; url: string }) => a.url.endsWith("/resend-hooks") && !a.ok,
      ),
    ).toHaveLength(1);
  });
});

describe("Resend wire format (fixtures, plain HTTP)", () => {
  test("fixtures/providers/resend/email.json answers { id } and the record is retrievable", async () => {
    const to = unique("fixture");
    const body = readFileSync(
      new URL("../../fixtures/providers/resend/email.json", import.meta.url),
      "utf8",
    ).replace("RECIPIENT", to);
    const sent = await post("/emails", body);
    expect(sent.status).toBe(200);
    const { id } = await sent.json();
    const got = await fetch(`${hooks.sandbox.url}/resend/emails/${id}`, {
      headers: { authorization: "Bearer re_x" },
    });
    expect(await got.json()).toMatchObject({
      object: "email",
      id,
      to: [to],
      subject: "Verify your email",
      tags: [{ name: "flow", value: "verify" }],
    });
    const [message] = await capturedFor(to);
    expect(message.tags).toEqual(["flow:verify"]);
  });
});
