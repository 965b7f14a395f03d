import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, inProcess, request, startTestSandbox, type InProcess } from "../helpers/sandbox.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";

/**
 * The provider state API and the mocks' answers to odd bodies are request/response checks: in
 * process. Webhook delivery, provider faults (delays, hanging requests) and logging use the socket.
 */
let sandbox: Sandbox;
let app: InProcess;
let receiver: WebhookReceiver;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@shared.test`;

const json = (method: string, body: unknown) => ({
  method,
  body: typeof body === "string" ? body : JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

/** One SendGrid send over plain HTTP: the cheapest way to exercise the shared machinery. */
const sendgrid = (target: Sandbox | InProcess, to: string, from = "app@shop.test") =>
  request(target, "/sendgrid/v3/mail/send", {
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
  sandbox = await startTestSandbox({
    providers: { postmark: { apiKeys: ["seeded-token"], verifiedSenders: ["shop.test"] } },
  });
  app = inProcess(sandbox);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
});

describe("native provider API", () => {
  test("GET lists every provider's state; the config seed (options.providers) is applied", async () => {
    const { status, body } = await api(app, "/api/providers");
    expect(status).toBe(200);
    expect(body.providers.map((p: { name: string }) => p.name)).toEqual([
      "sendgrid",
      "mailgun",
      "postmark",
      "resend",
      "ses",
    ]);
    const postmark = await api(app, "/api/providers/postmark");
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
    const resend = await api(app, "/api/providers/resend");
    expect(resend.body).toMatchObject({
      apiKeys: null,
      verifiedSenders: null,
      webhookRetry: { attempts: 5, delayMs: 1000 },
    });
  });

  test("PUT merges a partial state; DELETE resets to the seed and clears the event log", async () => {
    const put = await api(
      app,
      "/api/providers/postmark",
      json("PUT", { sandbox: true, suppressions: ["Gone@Shop.Test"] }),
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      apiKeys: ["seeded-token"],
      sandbox: true,
      suppressions: ["gone@shop.test"],
    });
    await app.request(`/postmark/email`, {
      method: "POST",
      headers: { "x-postmark-server-token": "seeded-token", "content-type": "application/json" },
      body: JSON.stringify({ From: "a@shop.test", To: "b@shop.test", Subject: "s", TextBody: "t" }),
    });
    expect((await api(app, "/api/providers/postmark/events")).body.events.length).toBeGreaterThan(
      0,
    );

    const reset = await api(app, "/api/providers/postmark", { method: "DELETE" });
    expect(reset.body).toMatchObject({
      apiKeys: ["seeded-token"],
      sandbox: false,
      suppressions: [],
    });
    expect((await api(app, "/api/providers/postmark/events")).body.events).toEqual([]);
  });

  test("bad state gets 400 with the native error body, never a 500", async () => {
    const cases: Array<[unknown, string]> = [
      [{ apiKeys: "one" }, "apiKeys"],
      [{ rateLimit: -1 }, "rateLimit"],
      [{ webhookUrl: "ftp://x" }, "webhookUrl"],
      [{ faults: [{ status: 418 }] }, "status"],
      [{ faults: [{ match: { subject: "*" }, status: 500 }] }, "match"],
      [{ faults: [{ match: { to: "*" } }] }, "needs a status"],
      [{ faults: [{ status: 500, times: 0 }] }, "faults[0].times must be a whole number"],
      [{ faults: [{ status: 500, probability: 1.5 }] }, "faults[0].probability"],
      [{ faults: [{ status: 500, seed: "x" }] }, "faults[0].seed"],
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
      const { status, body: answer } = await api(app, "/api/providers/sendgrid", json("PUT", body));
      expect(status, JSON.stringify(body)).toBe(400);
      expect(answer.error.code).toBe("BAD_REQUEST");
      expect(answer.error.message).toContain(words);
    }
    const invalid = await api(app, "/api/providers/sendgrid", json("PUT", "{nope"));
    expect([invalid.status, invalid.body.error.code]).toEqual([400, "INVALID_JSON"]);
    const unknown = await api(app, "/api/providers/sparkpost");
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "NOT_FOUND"]);
    const noRoute = await api(app, "/api/providers/sendgrid/nothing-here");
    expect([noRoute.status, noRoute.body.error.code]).toEqual([404, "NOT_FOUND"]);
  });

  test("pendingSenders are refused like unverified senders even when verifiedSenders is null", async () => {
    await api(app, "/api/providers/sendgrid", json("PUT", { pendingSenders: ["Fresh.Test"] }));
    const pending = await sendgrid(app, unique("pending"), "new@fresh.test");
    expect(pending.status).toBe(403);
    expect((await pending.json()).errors[0].field).toBe("from");
    expect((await sendgrid(app, unique("other"), "app@shop.test")).status).toBe(202);
    await api(app, "/api/providers/sendgrid", json("PUT", { pendingSenders: [] }));
  });

  test("templates: PUT stores one, GET lists them, DELETE removes it", async () => {
    const put = await api(
      app,
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
    expect((await api(app, "/api/providers/ses/templates")).body.templates.welcome.subject).toBe(
      "Hi {{name}}",
    );
    expect(
      (await api(app, "/api/providers/ses/templates/welcome", { method: "DELETE" })).status,
    ).toBe(200);
    expect(
      (await api(app, "/api/providers/ses/templates/welcome", { method: "DELETE" })).status,
    ).toBe(404);
  });

  test("events filter by type, recipient and provider message id", async () => {
    const [kept, dropped] = [unique("kept"), unique("dropped")];
    await api(app, "/api/providers/sendgrid", json("PUT", { suppressions: [dropped], faults: [] }));
    const res = await app.request(`/sendgrid/v3/mail/send`, {
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
    const byId = (await api(app, `/api/providers/sendgrid/events?providerMessageId=${id}`)).body
      .events;
    expect(
      byId.map((e: { type: string; recipient: string }) => `${e.type}:${e.recipient}`),
    ).toEqual([`dropped:${dropped}`, `processed:${kept}`, `delivered:${kept}`]);
    const drops = (
      await api(
        app,
        `/api/providers/sendgrid/events?type=dropped&recipient=${encodeURIComponent(dropped)}`,
      )
    ).body.events;
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({
      provider: "sendgrid",
      providerMessageId: id,
      messageId: null,
    });
    await api(app, "/api/providers/sendgrid", json("PUT", { suppressions: [] }));
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
        const response = await app.request(path, {
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

describe("webhook delivery", () => {
  test("a receiver that keeps failing gets every attempt, then the delivery gives up; each attempt is logged", async () => {
    receiver.answerWith([500, 502, 503]);
    await api(
      sandbox,
      "/api/providers/sendgrid",
      json("PUT", {
        webhookUrl: `${receiver.url}/always-failing`,
        webhookRetry: { attempts: 3, delayMs: 10 },
      }),
    );
    await sendgrid(sandbox, unique("hook"));
    const requests = await receiver.waitFor(3, "/always-failing");
    expect(requests.map((r) => r.status)).toEqual([500, 502, 503]);
    let attempts: Array<{
      attempt: number;
      ok: boolean;
      status: number;
      nextAttemptAt: string | null;
      deliveryId: string;
    }> = [];
    for (let i = 0; i < 50 && attempts.length < 3; i++) {
      attempts = (await api(sandbox, "/api/providers/sendgrid/webhooks")).body.attempts.filter(
        (a: { url: string }) => a.url.endsWith("/always-failing"),
      );
      if (attempts.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(attempts.map((a) => [a.attempt, a.ok, a.status])).toEqual([
      [1, false, 500],
      [2, false, 502],
      [3, false, 503],
    ]);
    expect(attempts[0].nextAttemptAt).not.toBeNull();
    expect(attempts[2].nextAttemptAt).toBeNull();
    expect(new Set(attempts.map((a) => a.deliveryId)).size).toBe(1);
    await api(sandbox, "/api/providers/sendgrid", json("PUT", { webhookUrl: null }));
  });

  test("an unreachable receiver is logged as a network error", async () => {
    const closed = await startWebhookReceiver();
    const url = `${closed.url}/gone`;
    await closed.close();
    await api(
      sandbox,
      "/api/providers/sendgrid",
      json("PUT", { webhookUrl: url, webhookRetry: { attempts: 1, delayMs: 0 } }),
    );
    await sendgrid(sandbox, unique("unreachable"));
    let attempt: { status: number | null; error: string; ok: boolean } | undefined;
    for (let i = 0; i < 100 && !attempt; i++) {
      attempt = (await api(sandbox, "/api/providers/sendgrid/webhooks")).body.attempts.find(
        (a: { url: string }) => a.url === url,
      );
      if (!attempt) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(attempt).toMatchObject({ status: null, ok: false });
    expect(attempt?.error).toMatch(/ECONNREFUSED|fetch failed/);
    await api(sandbox, "/api/providers/sendgrid", json("PUT", { webhookUrl: null }));
  });
});

describe("provider fault rules", () => {
  test("probability draws from a seeded generator: two sandboxes answer the same sequence", async () => {
    const run = async (target: Sandbox) => {
      await api(
        target,
        "/api/providers/sendgrid",
        json("PUT", { faults: [{ match: { to: "coin-*" }, status: 500, probability: 0.5 }] }),
      );
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await sendgrid(target, unique("coin"))).status);
      await api(target, "/api/providers/sendgrid", json("PUT", { faults: [] }));
      return statuses;
    };
    const other = await startTestSandbox();
    try {
      const [first, second] = [await run(sandbox), await run(other)];
      expect(first).toEqual(second);
      expect(new Set(first)).toEqual(new Set([202, 500]));
    } finally {
      await other.stop();
    }
  });

  test("each rule draws from its own generator: another rule's traffic does not shift its sequence", async () => {
    const coins = async (interleaved: boolean) => {
      await api(
        sandbox,
        "/api/providers/sendgrid",
        json("PUT", {
          faults: [
            { match: { to: "dice-*" }, status: 503, probability: 0.5 },
            { match: { to: "coin-*" }, status: 500, probability: 0.5 },
          ],
        }),
      );
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        if (interleaved) await sendgrid(sandbox, unique("dice"));
        statuses.push((await sendgrid(sandbox, unique("coin"))).status);
      }
      await api(sandbox, "/api/providers/sendgrid", json("PUT", { faults: [] }));
      return statuses;
    };
    const alone = await coins(false);
    expect(await coins(true)).toEqual(alone);
    expect(new Set(alone)).toEqual(new Set([202, 500]));
  });

  test("delayMs alone slows the answer and then accepts; rules match sender globs", async () => {
    await api(
      sandbox,
      "/api/providers/sendgrid",
      json("PUT", {
        faults: [
          { match: { from: "*@slow.test" }, delayMs: 50 },
          { match: { from: "*@broken.test" }, status: 502 },
        ],
      }),
    );
    expect((await sendgrid(sandbox, unique("slow"), "app@slow.test")).status).toBe(202);
    const broken = await sendgrid(sandbox, unique("broken"), "app@broken.test");
    expect(broken.status).toBe(502);
    expect(await broken.json()).toEqual({
      errors: [{ message: "bad gateway", field: null, help: null }],
    });
    expect((await sendgrid(sandbox, unique("fine"), "app@fine.test")).status).toBe(202);
    await api(sandbox, "/api/providers/sendgrid", json("PUT", { faults: [] }));
  });

  test("stopping the sandbox ends a hanging request", async () => {
    const other = await startTestSandbox({ providers: { resend: { faults: [{ hang: true }] } } });
    const pending = fetch(`${other.url}/resend/emails`, {
      method: "POST",
      headers: { authorization: "Bearer re_x", "content-type": "application/json" },
      body: JSON.stringify({ from: "a@shop.test", to: "b@shop.test", subject: "s", text: "t" }),
    }).then(
      (r) => r.status,
      (e: Error) => e.name,
    );
    // Stop only once the rule has fired (it is logged as a mailproof.fault entry).
    for (let i = 0; i < 200; i++) {
      if (
        (await api(other, "/api/providers/resend/events?type=mailproof.fault")).body.events.length >
        0
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(
      (await api(other, "/api/providers/resend/events?type=mailproof.fault")).body.events[0],
    ).toMatchObject({ recipient: "b@shop.test", data: { rule: { hang: true } } });
    await other.stop();
    // The client sees the connection end instead of an answer.
    expect(await pending).toBe("TypeError");
  });

  test("an invalid providers seed fails createSandbox with CONFIG_INVALID", async () => {
    await expect(
      startTestSandbox({ providers: { sendgrid: { rateLimit: "fast" } } }),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(startTestSandbox({ providers: { sparkpost: {} } })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });
});

describe("logging", () => {
  test("every refused request and every fired fault is one structured log line", async () => {
    const lines: Array<Record<string, any>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean))
          lines.push(JSON.parse(line));
        done();
      },
    });
    const logged = await startTestSandbox({
      logger: pino({ level: "info" }, stream),
      providers: {
        sendgrid: {
          verifiedSenders: ["shop.test"],
          faults: [{ match: { to: "boom-*" }, status: 500 }],
        },
      },
    });
    try {
      expect((await sendgrid(logged, unique("x"), "a@elsewhere.test")).status).toBe(403);
      expect((await sendgrid(logged, unique("boom"))).status).toBe(500);
      const refused = lines.find((l) => l.msg === "provider mock refused the request");
      expect(refused).toMatchObject({
        provider: "sendgrid",
        status: 403,
        path: "/sendgrid/v3/mail/send",
      });
      expect(refused?.body).toContain("verified Sender Identity");
      expect(lines.find((l) => l.msg === "provider fault fired")).toMatchObject({
        provider: "sendgrid",
        rule: { status: 500 },
      });
      expect(
        lines.find((l) => l.msg === "provider mock answered with a server error"),
      ).toMatchObject({ status: 500 });
    } finally {
      await logged.stop();
    }
  });
});
