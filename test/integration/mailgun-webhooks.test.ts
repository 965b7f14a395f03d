import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import FormData from "form-data";
import Mailgun from "mailgun.js";
import { describe, expect, test } from "vitest";
import { providerHelpers } from "../helpers/providers.js";
import { useWebhookSandbox } from "../helpers/webhook-receiver.js";
import { api } from "../helpers/sandbox.js";

const hooks = useWebhookSandbox();

const helpers = providerHelpers(() => hooks.sandbox, "mailgun");
const setState = helpers.setState.bind(helpers);
const DOMAIN = "mg.example.com";
const client = () =>
  new Mailgun(FormData).client({
    username: "api",
    key: "key-hooks",
    url: `${hooks.sandbox.url}/mailgun`,
  });

const verify = (key: string, signature: { timestamp: string; token: string; signature: string }) =>
  createHmac("sha256", key)
    .update(signature.timestamp + signature.token)
    .digest("hex") === signature.signature;

describe("Mailgun webhooks", () => {
  test("accepted and delivered event-data are POSTed, signed with the signing key, and a failed POST is retried", async () => {
    await setState({
      webhookUrl: `${hooks.receiver.url}/signed`,
      webhookSecret: "key-signing-test",
      webhookRetry: { attempts: 3, delayMs: 20 },
    });
    hooks.receiver.answerWith([500]);
    const sent = await client().messages.create(DOMAIN, {
      from: "shop@mg.example.com",
      to: "hook-1@mailgun.test",
      subject: "hooked",
      text: "t",
      "o:tag": "hooks",
      "v:order": "9",
    });

    // Two events, one of them answered 500 once and retried: three requests.
    const requests = await hooks.receiver.waitFor(3, "/signed");
    expect(requests.map((r) => r.status).sort()).toEqual([200, 200, 500]);
    const bodies = requests.filter((r) => r.status === 200).map((r) => JSON.parse(r.body));
    for (const body of bodies) {
      expect(requests[0].headers["content-type"]).toBe("application/json");
      expect(verify("key-signing-test", body.signature)).toBe(true);
      expect(verify("some-other-key", body.signature)).toBe(false);
      expect(body.signature.token).toHaveLength(50);
    }
    const delivered = bodies.map((b) => b["event-data"]).find((e) => e.event === "delivered");
    expect(delivered.recipient).toBe("hook-1@mailgun.test");
    expect(`<${delivered.message.headers["message-id"]}>`).toBe(sent.id);
    expect(delivered.tags).toEqual(["hooks"]);
    expect(delivered["user-variables"]).toEqual({ order: "9" });
    expect(bodies.map((b) => b["event-data"].event).sort()).toEqual(["accepted", "delivered"]);
    // Same shape as the documented sample (fixtures/providers/mailgun/webhook-delivered.json).
    const sample = JSON.parse(
      readFileSync(
        new URL("../../fixtures/providers/mailgun/webhook-delivered.json", import.meta.url),
        "utf8",
      ),
    );
    expect(Object.keys(bodies[0]).sort()).toEqual(Object.keys(sample).sort());
    expect(Object.keys(delivered).sort()).toEqual(Object.keys(sample["event-data"]).sort());
    expect(Object.keys(delivered.message.headers).sort()).toEqual(
      Object.keys(sample["event-data"].message.headers).sort(),
    );

    const { body: log } = await api(hooks.sandbox, "/api/providers/mailgun/webhooks");
    const failed = log.attempts.find((a: { ok: boolean }) => !a.ok);
    expect(failed).toMatchObject({ attempt: 1, status: 500, ok: false });
    expect(failed.nextAttemptAt).not.toBeNull();
    expect(
      log.attempts.some(
        (a: { deliveryId: string; attempt: number; ok: boolean }) =>
          a.deliveryId === failed.deliveryId && a.attempt === 2 && a.ok,
      ),
    ).toBe(true);
  });

  test("without webhookSecret the documented test signing key signs; suppressed recipients report failed", async () => {
    await setState({
      webhookUrl: `${hooks.receiver.url}/default`,
      webhookSecret: null,
      suppressions: ["gone@mailgun.test"],
    });
    await client().messages.create(DOMAIN, {
      from: "shop@mg.example.com",
      to: "gone@mailgun.test",
      text: "t",
    });
    const requests = await hooks.receiver.waitFor(2, "/default");
    const bodies = requests.map((r) => JSON.parse(r.body));
    expect(bodies.every((b) => verify("mailproof-mailgun-signing-key", b.signature))).toBe(true);
    const failed = bodies.map((b) => b["event-data"]).find((e) => e.event === "failed");
    expect(failed).toMatchObject({
      severity: "permanent",
      reason: "suppress-bounce",
      "log-level": "error",
    });
    expect(failed["delivery-status"]).toMatchObject({
      code: 605,
      message: "Not delivering to previously bounced address",
    });
  });
});
