import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { LinkInfo, Message } from "../../src/core/types.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** What a newcomer's app sends over SMTP: codes in plain sentences, and a QP part never encoded. */
let sandbox: Sandbox;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}@newcomer.test`;
const TOKEN = "Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K";

const transport = () =>
  nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    pool: false,
    ignoreTLS: true,
  });

async function waitFor(to: string): Promise<Message> {
  const { status, body } = await api<Message>(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=1970-01-01T00:00:00Z&timeout=10000`,
  );
  expect(status).toBe(200);
  return body;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ appUrl: "https://app.example.com", dnsZone: {} });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe("one-time codes in plain sentences, over SMTP", () => {
  test.each([
    ["Your code is 123 456.", "123456"],
    ["Use 739201 to sign in.", "739201"],
  ])("%s", async (text, code) => {
    const to = unique("code");
    await transport().sendMail({
      from: "no-reply@app.example.com",
      to,
      subject: "Sign in to Acme",
      text: `Hi,\n\n${text}\n\nThe Acme team`,
    });
    const message = await waitFor(to);
    expect(message.analysis.codes).toEqual([code]);
    const search = await api<{ total: number }>(
      sandbox,
      `/api/messages?query=${encodeURIComponent(`to:${to} has:code`)}`,
    );
    expect(search.body.total).toBe(1);
  });
});

describe("a body declared quoted-printable but not encoded, over SMTP", () => {
  test("the damaged reset link fails its encoding check and the finding says why", async () => {
    const to = unique("qp");
    const raw = [
      "From: no-reply@app.example.com",
      `To: ${to}`,
      "Subject: Reset your password",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      `Reset your password: https://app.example.com/reset?uid=42&token=${TOKEN}`,
      "",
    ].join("\r\n");
    await transport().sendMail({ envelope: { from: "no-reply@app.example.com", to: [to] }, raw });
    const message = await waitFor(to);
    const reset = message.analysis.links.find((l) => l.kind === "reset") as LinkInfo;
    expect(reset.url).toBe(`https://app.example.com/reset?uidB&token=${TOKEN}`);
    const encoding = reset.checks.find((c) => c.rule === "link.encoding");
    expect(encoding?.status).toBe("fail");
    expect(encoding?.message).toContain('"uid=42" in the source was decoded as "uidB"');
    expect(message.analysis.findings).toContainEqual(
      expect.objectContaining({
        rule: "links.reset-broken",
        severity: "error",
        message: expect.stringContaining("quoted-printable"),
      }),
    );
  });
});
