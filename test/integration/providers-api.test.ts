import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api, startInProcessSandbox, type InProcessSandbox } from "../helpers/in-process.js";

/**
 * /api/providers (state, templates, events) and the mocks' answers to malformed bodies, in
 * process. Webhook delivery, provider faults and logging are in providers-shared.test.ts.
 */
let sandbox: InProcessSandbox;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@shared.test`;

const json = (method: string, body: unknown) => ({
  method,
  body: typeof body === "string" ? body : JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

/** One SendGrid send as its JSON API takes it. */
const sendgrid = (to: string, from = "app@shop.test") =>
  sandbox.request("/sendgrid/v3/mail/send", {
    method: "POST",
    headers: { authorization: "Bearer SG.x", "content-type": "application/json" },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: to }] }],
      from: { email: from },
      subject: "s",
      content: [{ type: "text/plain", value: "t" }],
    }),
  });

beforeAll(async () => {
  sandbox = await startInProcessSandbox({
    providers: { postmark: { apiKeys: ["seeded-token"], verifiedSenders: ["shop.test"] } },
  });
});
afterAll(() => sandbox.stop());

describe("native provider API", () => {
  test("GET lists every provider's state; the config seed (options.providers) is applied", async () => {
    const { status, body } = await api(sandbox, "/api/providers");
    expect(status).toBe(200);
    expect(body.providers.map((p: { name: string }) => p.name)).toEqual([
      "sendgrid",
      "mailgun",
      "postmark",
      "resend",
      "ses",
    ]);
    const postmark = await api(sandbox, "/api/providers/postmark");
    expect(postmark.body).toMatchObject({
      apiKeys: ["seeded-token"],
      verifiedSenders: ["shop.test"],
      sandbox: false,
      suppressions: [],
      rateLimit: null,
      webhookUrl: null,
      faults: [],
      templates: {},
    });
    const resend = await api(sandbox, "/api/providers/resend");
    expect(resend.body).toMatchObject({
      apiKeys: null,
      verifiedSenders: null,
      webhookRetry: { attempts: 5, delayMs: 1000 },
    });
  });

  test("PUT merges a partial state; DELETE resets to the seed and clears the event log", async () => {
    const put = await api(
      sandbox,
      "/api/providers/postmark",
      json("PUT", { sandbox: true, suppressions: ["Gone@Shop.Test"] }),
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      apiKeys: ["seeded-token"],
      sandbox: true,
      suppressions: ["gone@shop.test"],
    });
    await sandbox.request(`/postmark/email`, {
      method: "POST",
      headers: { "x-postmark-server-token": "seeded-token", "content-type": "application/json" },
      body: JSON.stringify({ From: "a@shop.test", To: "b@shop.test", Subject: "s", TextBody: "t" }),
    });
    expect(
      (await api(sandbox, "/api/providers/postmark/events")).body.events.length,
    ).toBeGreaterThan(0);

    const reset = await api(sandbox, "/api/providers/postmark", { method: "DELETE" });
    expect(reset.body).toMatchObject({
      apiKeys: ["seeded-token"],
      sandbox: false,
      suppressions: [],
    });
    expect((await api(sandbox, "/api/providers/postmark/events")).body.events).toEqual([]);
  });

  test("bad state gets 400 with the native error body, never a 500", async () => {
    const cases: Array<[unknown, string]> = [
      [{ apiKeys: "one" }, "apiKeys"],
      [{ rateLimit: -1 }, "rateLimit"],
      [{ webhookUrl: "ftp://x" }, "webhookUrl"],
      [{ faults: [{ status: 418 }] }, "status"],
      [{ faults: [{ match: { subject: "*" }, status: 500 }] }, "match"],
      [{ faults: [{ match: { to: "*" } }] }, "needs a status"],
      [{ templates: { t: { subject: "only a subject" } } }, "html or a text"],
      [{ templates: { t: { html: "<p>{{#if ok}}unclosed</p>" } } }, "not a valid template"],
      [{ dkim: { "shop.test": { selector: "s1", privateKey: "nope" } } }, "dkim"],
      [
        {
          dkim: {
            "shop.test": {
              selector: "s1",
              privateKey: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----",
            },
          },
        },
        "not a usable private key",
      ],
      [{ colour: "blue" }, "unknown provider state field"],
      [[1, 2], "JSON object"],
    ];
    for (const [body, words] of cases) {
      const { status, body: answer } = await api(
        sandbox,
        "/api/providers/sendgrid",
        json("PUT", body),
      );
      expect(status, JSON.stringify(body)).toBe(400);
      expect(answer.error.code).toBe("BAD_REQUEST");
      expect(answer.error.message).toContain(words);
    }
    const invalid = await api(sandbox, "/api/providers/sendgrid", json("PUT", "{nope"));
    expect([invalid.status, invalid.body.error.code]).toEqual([400, "INVALID_JSON"]);
    const unknown = await api(sandbox, "/api/providers/sparkpost");
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "NOT_FOUND"]);
    const noRoute = await api(sandbox, "/api/providers/sendgrid/nothing-here");
    expect([noRoute.status, noRoute.body.error.code]).toEqual([404, "NOT_FOUND"]);
  });

  test("pendingSenders are refused like unverified senders even when verifiedSenders is null", async () => {
    await api(sandbox, "/api/providers/sendgrid", json("PUT", { pendingSenders: ["Fresh.Test"] }));
    const pending = await sendgrid(unique("pending"), "new@fresh.test");
    expect(pending.status).toBe(403);
    expect((await pending.json()).errors[0].field).toBe("from");
    expect((await sendgrid(unique("other"), "app@shop.test")).status).toBe(202);
    await api(sandbox, "/api/providers/sendgrid", json("PUT", { pendingSenders: [] }));
  });

  test("templates: PUT stores one, GET lists them, DELETE removes it", async () => {
    const put = await api(
      sandbox,
      "/api/providers/ses/templates/welcome",
      json("PUT", { subject: "Hi {{name}}", html: "<p>Hi {{name}}</p>", text: "Hi {{name}}" }),
    );
    expect(put.body).toEqual({
      name: null,
      alias: null,
      subject: "Hi {{name}}",
      html: "<p>Hi {{name}}</p>",
      text: "Hi {{name}}",
    });
    expect(
      (await api(sandbox, "/api/providers/ses/templates")).body.templates.welcome.subject,
    ).toBe("Hi {{name}}");
    expect(
      (await api(sandbox, "/api/providers/ses/templates/welcome", { method: "DELETE" })).status,
    ).toBe(200);
    expect(
      (await api(sandbox, "/api/providers/ses/templates/welcome", { method: "DELETE" })).status,
    ).toBe(404);
  });

  test("events filter by type, recipient and provider message id", async () => {
    const [kept, dropped] = [unique("kept"), unique("dropped")];
    await api(
      sandbox,
      "/api/providers/sendgrid",
      json("PUT", { suppressions: [dropped], faults: [] }),
    );
    const res = await sandbox.request(`/sendgrid/v3/mail/send`, {
      method: "POST",
      headers: { authorization: "Bearer SG.x", "content-type": "application/json" },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: kept }, { email: dropped }] }],
        from: { email: "a@shop.test" },
        subject: "s",
        content: [{ type: "text/plain", value: "t" }],
      }),
    });
    const id = res.headers.get("x-message-id") as string;
    const byId = (await api(sandbox, `/api/providers/sendgrid/events?providerMessageId=${id}`)).body
      .events;
    expect(
      byId.map((e: { type: string; recipient: string }) => `${e.type}:${e.recipient}`),
    ).toEqual([`dropped:${dropped}`, `processed:${kept}`, `delivered:${kept}`]);
    const drops = (
      await api(
        sandbox,
        `/api/providers/sendgrid/events?type=dropped&recipient=${encodeURIComponent(dropped)}`,
      )
    ).body.events;
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({
      provider: "sendgrid",
      providerMessageId: id,
      messageId: null,
    });
    await api(sandbox, "/api/providers/sendgrid", json("PUT", { suppressions: [] }));
  });
});

describe("malformed requests", () => {
  test("odd bodies get each provider's 4xx error in its own JSON format, never a 5xx", async () => {
    const endpoints: Array<[string, Record<string, string>]> = [
      ["/sendgrid/v3/mail/send", { authorization: "Bearer SG.x" }],
      ["/postmark/email", { "x-postmark-server-token": "seeded-token" }],
      ["/postmark/email/batch", { "x-postmark-server-token": "seeded-token" }],
      ["/postmark/email/withTemplate", { "x-postmark-server-token": "seeded-token" }],
      ["/postmark/email/batchWithTemplates", { "x-postmark-server-token": "seeded-token" }],
      ["/resend/emails", { authorization: "Bearer re_x" }],
      ["/resend/emails/batch", { authorization: "Bearer re_x" }],
    ];
    const bodies = [
      "",
      "null",
      "[]",
      "[null]",
      '"text"',
      "42",
      "{}",
      '{"from": {}}',
      '{"From": 5, "To": []}',
      '{"from": "a@b.test", "to": [1]}',
      '{"personalizations": [{"to": "x"}], "from": "a@b.test"}',
      '{"personalizations": [null], "attachments": {}, "categories": [1]}',
      '[{"From": "a@shop.test", "To": "b@shop.test", "TextBody": "t", "Attachments": [{"Name": 1}]}]',
      '{"Messages": "no"}',
      '[{"from": "a@b.test", "to": "c@d.test", "subject": "s", "text": "t", "attachments": [{}]}]',
      '{"template": "x", "to": "a@b.test", "from": "a@b.test"}',
      '{"TemplateId": {}, "From": "a@shop.test", "To": "b@shop.test"}',
      '{"From": "a@shop.test", "To": "b@shop.test", "TextBody": "t", "Headers": "x"}',
    ];
    for (const [path, headers] of endpoints) {
      for (const body of bodies) {
        const response = await sandbox.request(path, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
        const text = await response.text();
        expect(response.status, `${path} ${body} → ${text}`).toBeGreaterThanOrEqual(200);
        expect(response.status, `${path} ${body} → ${text}`).toBeLessThan(500);
        if (response.status >= 400) expect(() => JSON.parse(text), `${path} ${body}`).not.toThrow();
      }
    }
  });
});
