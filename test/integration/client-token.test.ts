import nodemailer from "nodemailer";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Mailproof, MailproofClientError } from "../../src/client/index.js";
import { startSandbox, type TestSandbox } from "../../src/testing/index.js";

/** A sandbox run with --api-token: the client sends the token as a Bearer credential (RFC 6750). */
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ apiToken: "s3cret-token", logLevel: "silent" });
});
afterAll(() => sandbox?.stop());

test("startSandbox's client carries the token, and waitFor works through it", async () => {
  const to = sandbox.mail.address("token");
  await nodemailer
    .createTransport({ host: sandbox.smtpHost, port: sandbox.smtpPort, ignoreTLS: true })
    .sendMail({ from: "app@saas.example", to, subject: "guarded", text: "x" });
  const message = await sandbox.mail.waitFor({ to });
  expect(message.subject).toBe("guarded");
  expect((await message.raw()).toString()).toContain("Subject: guarded");
});

test("without the token, or with a wrong one, every call is an UNAUTHORIZED client error", async () => {
  for (const token of [undefined, "wrong"]) {
    const mail = new Mailproof({ url: sandbox.url, token });
    const error = await mail.messages().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailproofClientError);
    expect(error).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
    await expect(mail.waitFor({ to: mail.address(), timeout: 100 })).rejects.toMatchObject({
      status: 401,
    });
  }
});

test("MAILPROOF_API_TOKEN is the default token, as it is for mailproof serve", async () => {
  const saved = process.env.MAILPROOF_API_TOKEN;
  process.env.MAILPROOF_API_TOKEN = "s3cret-token";
  try {
    expect(await new Mailproof({ url: sandbox.url }).messages("to:nobody@mailproof.test")).toEqual(
      [],
    );
  } finally {
    if (saved === undefined) delete process.env.MAILPROOF_API_TOKEN;
    else process.env.MAILPROOF_API_TOKEN = saved;
  }
});
