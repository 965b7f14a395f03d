import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";

/**
 * The provider mocks' shared machinery on the wire: webhook delivery, faults, logging. The
 * /api/providers requests and malformed-body answers run in process in providers-api.test.ts.
 */
let sandbox: Sandbox;
let receiver: WebhookReceiver;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@shared.test`;

const json = (method: string, body: unknown) => ({
  method,
  body: typeof body === "string" ? body : JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

/** One SendGrid send over plain HTTP: the cheapest way to exercise the shared machinery. */
const sendgrid = (target: Sandbox, to: string, from = "app@shop.test") =>
  fetch(`${target.url}/sendgrid/v3/mail/send`, {
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
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
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
