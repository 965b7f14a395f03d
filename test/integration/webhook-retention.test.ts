import { createServer, type AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createEventBus } from "../../src/core/events.js";
import type { MessageSummary } from "../../src/core/types.js";
import { duration } from "../../src/config/parsers.js";
import type { Sandbox } from "../../src/sandbox.js";
import { startReceiveWebhook } from "../../src/webhooks/receive-webhook.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";

const upload = (sandbox: Sandbox, subject: string) =>
  api(sandbox, "/api/messages", {
    method: "POST",
    headers: { "content-type": "message/rfc822" },
    body: `From: app@hook.test\r\nTo: ann@hook.test\r\nSubject: ${subject}\r\n\r\nbody\r\n`,
  });

describe("--webhook", () => {
  let receiver: WebhookReceiver;
  let sandbox: Sandbox;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startTestSandbox({
      webhook: `${receiver.url}/hooks/mail?token=s3cret`,
      webhookLimit: 0,
    });
  });
  afterAll(async () => {
    await sandbox.stop();
    await receiver.close();
  });

  test("each captured message is POSTed as { event, message: summary }; a failed delivery is retried; health counts them without the token", async () => {
    receiver.answerWith([500]);
    const first = await upload(sandbox, "hook one");
    const second = await upload(sandbox, "hook two");
    const hits = await receiver.waitFor(3, "/hooks/mail");
    expect(hits[0].status).toBe(500);
    expect(hits[0].headers["content-type"]).toBe("application/json");
    const bodies = hits
      .filter((h) => h.status === 200)
      .map((h) => JSON.parse(h.body) as { event: string; message: MessageSummary });
    expect(bodies.map((b) => b.event)).toEqual(["message.received", "message.received"]);
    expect(bodies.map((b) => b.message.id).sort()).toEqual([first.body.id, second.body.id].sort());
    expect(bodies.find((b) => b.message.id === first.body.id)?.message).toMatchObject({
      subject: "hook one",
      from: { address: "app@hook.test" },
    });
    const { body: health } = await api(sandbox, "/api/health");
    expect(health.webhook).toEqual({
      url: `${receiver.url}/hooks/mail`,
      delivered: 2,
      failed: 0,
      pending: 0,
      dropped: 0,
      lastError: "receiver answered 500",
    });
  });
});

test("--webhook-limit spaces the deliveries: 2 per second", async () => {
  const receiver = await startWebhookReceiver();
  const sandbox = await startTestSandbox({ webhook: receiver.url, webhookLimit: 2 });
  try {
    for (const n of [1, 2, 3, 4]) await upload(sandbox, `limited ${n}`);
    const hits = await receiver.waitFor(4);
    // Four starts 500 ms apart span at least 1.5 s; arrivals, less the first one's latency.
    expect(hits[3].at - hits[0].at).toBeGreaterThanOrEqual(1200);
  } finally {
    await sandbox.stop();
    await receiver.close();
  }
});

test("a delivery that runs out of attempts is counted and reported", async () => {
  const events = createEventBus();
  let failures = 0;
  // A port that was just free refuses the connection.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const webhook = startReceiveWebhook(
    { events, logger: pino({ level: "silent" }), onFailure: () => failures++ },
    { url: `http://127.0.0.1:${port}/never`, attempts: 2, retryDelayMs: 10, limitPerSecond: 0 },
  );
  try {
    events.emit("message.received", {
      id: "01KAAAAAAAAAAAAAAAAAAAAAA1",
      summary: { id: "01KAAAAAAAAAAAAAAAAAAAAAA1" } as MessageSummary,
    });
    await expect.poll(() => failures).toBe(1);
    expect(webhook.status()).toMatchObject({
      delivered: 0,
      failed: 1,
      pending: 0,
      lastError: expect.stringContaining("ECONNREFUSED"),
    });
  } finally {
    webhook.stop();
  }
});

describe("--max-age", () => {
  test.each([
    ["7d", 604_800_000],
    ["12h", 43_200_000],
    ["30m", 1_800_000],
    ["90s", 90_000],
    ["1.5h", 5_400_000],
  ])("%s is %i ms", (text, ms) => expect(duration(text, { source: "flag", baseDir: "" })).toBe(ms));

  test.each(["7", "0d", "-1h", "7 days", "d"])("%s is refused with the accepted forms", (text) => {
    expect(() => duration(text, { source: "flag", baseDir: "" })).toThrow(/7d, 12h, 30m/);
  });

  test("messages older than --max-age are pruned in the background (with message.deleted); newer ones stay", async () => {
    const sandbox = await startTestSandbox({ maxAge: 1500 });
    try {
      const deleted: string[] = [];
      sandbox.events.on("message.deleted", ({ ids }) =>
        deleted.push(...(ids === "all" ? [] : ids)),
      );
      const old = await upload(sandbox, "ages out");
      await expect
        .poll(async () => (await api(sandbox, `/api/messages/${old.body.id}`)).status, {
          timeout: 10_000,
          interval: 200,
        })
        .toBe(404);
      expect(deleted).toContain(old.body.id);
      const fresh = await upload(sandbox, "still fresh");
      expect((await api(sandbox, `/api/messages/${fresh.body.id}`)).status).toBe(200);
    } finally {
      await sandbox.stop();
    }
  });
});
