import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Message } from "../../src/core/types.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** A newcomer's first password reset, sent over SMTP from this machine before any DNS is set up. */
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ dnsZone: {} });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe("an unsigned password reset in local development", () => {
  test("one info finding instead of the setup warnings, 'expected' at every receiver, and not bulk", async () => {
    const to = "ann-local@example.net";
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: sandbox.smtpPort,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: "Acme <no-reply@myapp.test>",
      to,
      subject: "Reset your password",
      text: "Reset it here: https://myapp.test/reset?token=Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K\n\nUnsubscribe from product news: https://myapp.test/unsubscribe",
    });
    const { status, body } = await api<Message>(
      sandbox,
      `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=1970-01-01T00:00:00Z&timeout=10000`,
    );
    expect(status).toBe(200);
    const rules = body.analysis.findings.map((f) => f.rule);
    expect(rules.filter((r) => r.startsWith("auth."))).toEqual(["auth.local-development"]);
    expect(rules).not.toContain("header.list-unsubscribe.missing");
    expect(body.analysis.receivers.map((r) => [r.name, r.reasons.length])).toEqual([
      ["gmail", 1],
      ["yahoo", 1],
      ["outlook", 1],
    ]);
    for (const receiver of body.analysis.receivers)
      expect(receiver.reasons[0]).toMatch(/^expected in local development/);
  });
});
