// The test in README.md ("Add it to your test suite"), verbatim below this comment: keep them identical.
import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import { startSandbox, type TestSandbox } from "mailproof/testing";
import "mailproof/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";

// Stands in for your app's mailer: it reads SMTP_HOST and SMTP_PORT like production code does.
async function sendPasswordReset(to: string, env: { SMTP_HOST: string; SMTP_PORT: string }) {
  const transport = nodemailer.createTransport({
    host: env.SMTP_HOST,
    port: Number(env.SMTP_PORT),
    tls: { rejectUnauthorized: false },
  });
  const link = `https://app.example/reset-password?token=${randomUUID()}`;
  await transport.sendMail({
    from: "App <no-reply@app.example>",
    to,
    subject: "Reset your password",
    text: `Choose a new password: ${link}`,
    html: `<p><a href="${link}">Reset password</a></p>`,
  });
}

let sandbox: TestSandbox;
// One sandbox for the file: SMTP and HTTP on free ports.
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());

test("the password reset email carries an https reset link with a token", async () => {
  const to = sandbox.mail.address("reset"); // unique per test: parallel tests never see each other's mail
  await sendPasswordReset(to, sandbox.env);

  const msg = await sandbox.mail.waitFor({ to, subject: /reset your password/i });
  expect(msg.from?.address).toBe("no-reply@app.example");
  expect(msg).toHaveLink({ kind: "reset", host: "app.example", https: true });
  const reset = new URL(msg.link("reset"));
  expect(reset.pathname).toBe("/reset-password");
  expect(reset.searchParams.get("token")).toMatch(/^[0-9a-f-]{36}$/);
});
