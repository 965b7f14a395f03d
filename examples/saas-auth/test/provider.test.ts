import type { Mailproof } from "mailproof/client";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunningApp } from "../src/server.js";
import { post, startSaas, useSandbox, type MailSandbox } from "./support.js";

/** The same app, configured to send through Postmark's official SDK pointed at mailproof's Postmark mock. */
let sandbox: MailSandbox;
let mail: Mailproof;
let app: RunningApp;

beforeAll(async () => {
  sandbox = await useSandbox();
  mail = sandbox.mail;
  app = await startSaas({ MAIL_PROVIDER: "postmark", POSTMARK_API_URL: `${sandbox.env.MAILPROOF_URL}/postmark`, POSTMARK_SERVER_TOKEN: "server-token", DKIM_PRIVATE_KEY_FILE: "" });
});
afterAll(async () => {
  await app?.stop();
  await sandbox?.stop();
});

test("signup and invoice emails sent through the Postmark SDK arrive with their attachment", async () => {
  const email = mail.address("postmark");
  expect((await post(app, "/signup", { email, password: "correct horse" })).status).toBe(201);
  const verification = await mail.waitFor({ to: email, subject: "Verify your email" });
  expect(verification.source.kind).toBe("postmark");
  expect(verification.from?.address).toBe("no-reply@saas.example");

  const invoice = await post(app, "/invoices", { email, lines: [{ description: "Pro plan", amountCents: 900 }] });
  const message = await mail.waitFor({ to: email, subject: `Your invoice ${invoice.body.number}` });
  expect(message.source).toMatchObject({ kind: "postmark", providerMessageId: expect.any(String) });
  const pdf = await message.attachment(`${invoice.body.number}.pdf`);
  expect(pdf.subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
  expect(app.queue.deadLetters()).toEqual([]);
});
