import { createServer } from "node:net";
import type { Mailproof } from "mailproof/client";
import { startSandbox, type TestSandbox } from "mailproof/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RunningApp } from "../src/server.js";
import { post, sandboxOptions, startSaas } from "./support.js";

/**
 * What comes back after the app's mail is delivered, end to end: the sandbox answers the
 * simulator addresses with a bounce or a spam complaint, and delivers those (and replies written
 * with `msg.reply()`) to the app's own inbound endpoint in Postmark's inbound format.
 */
let sandbox: TestSandbox;
let mail: Mailproof;
let app: RunningApp;

/** A free port for the app, so the sandbox can be told where the app's inbound endpoint is. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  sandbox = await startSandbox({
    ...sandboxOptions,
    inbound: `postmark+http://127.0.0.1:${port}/inbound`,
  });
  mail = sandbox.mail;
  app = await startSaas({ ...sandbox.env, PORT: String(port) });
});
afterAll(async () => {
  await app?.stop();
  await sandbox?.stop();
});

const unique = () => Math.random().toString(36).slice(2, 10);

async function signUp(email: string) {
  expect((await post(app, "/signup", { email, password: "correct horse" })).status).toBe(201);
}

describe("round trips", () => {
  test("a bounced verification email marks the address undeliverable, and nothing more is sent to it", async () => {
    const email = `bounce+${unique()}@simulator.mailproof.test`;
    await signUp(email);
    const verification = await mail.waitFor({ to: email, subject: "Verify your email" });
    expect(verification.envelope.mailFrom).toBe(`bounces+${email.replace("@", "=")}@saas.example`);
    const bounce = await mail.waitFor({ query: `source:dsn tag:original:${verification.id}` });
    expect(bounce.subject).toBe("Undelivered Mail Returned to Sender");
    await expect.poll(() => app.users.byEmail(email)?.undeliverable).toBe(true);

    expect((await post(app, "/password-reset", { email })).status).toBe(202);
    await app.queue.idle();
    expect(await mail.messages(`to:${email}`)).toHaveLength(1);
  });

  test("a spam complaint stops all mail to the address", async () => {
    const email = `complaint+${unique()}@simulator.mailproof.test`;
    await signUp(email);
    const verification = await mail.waitFor({ to: email, subject: "Verify your email" });
    await mail.waitFor({ query: `source:dsn tag:complaint tag:original:${verification.id}` });
    await expect.poll(() => app.users.byEmail(email)?.complained).toBe(true);
    expect(app.users.byEmail(email)?.undeliverable).toBe(false);

    await post(app, "/password-reset", { email });
    await app.queue.idle();
    expect(await mail.messages(`to:${email}`)).toHaveLength(1);
  });

  test("a user's reply reaches the app's inbound endpoint and is stored without the quoted email", async () => {
    const email = mail.address("reply");
    await signUp(email);
    const verification = await mail.waitFor({ to: email, subject: "Verify your email" });
    const result = await verification.reply({ text: "I did not sign up for this." });
    expect(result).toMatchObject({ delivered: true, status: 200 });
    const { replies } = await (await fetch(`${app.url}/replies`)).json();
    expect(replies).toContainEqual(
      expect.objectContaining({
        from: email,
        subject: "Re: Verify your email address",
        text: "I did not sign up for this.",
      }),
    );
    expect(app.users.byEmail(email)).toMatchObject({ undeliverable: false, complained: false });
  });

  test("an out-of-office reply is neither a bounce nor a reply", async () => {
    const email = `ooo+${unique()}@simulator.mailproof.test`;
    await signUp(email);
    const verification = await mail.waitFor({ to: email, subject: "Verify your email" });
    const autoReply = await mail.waitFor({
      query: `source:dsn tag:auto-reply tag:original:${verification.id}`,
    });
    const outcomes = async () =>
      (await (await fetch(`${app.url}/inbound`)).json()).outcomes as Array<{
        outcome: string;
        subject: string;
        from: string;
      }>;
    await expect
      .poll(async () => (await outcomes()).find((o) => o.from === email))
      .toEqual({ outcome: "auto-reply", from: email, subject: autoReply.subject });
    const { replies } = await (await fetch(`${app.url}/replies`)).json();
    expect(replies.some((r: { from: string }) => r.from === email)).toBe(false);
    expect(app.users.byEmail(email)).toMatchObject({ undeliverable: false, complained: false });
  });
});
