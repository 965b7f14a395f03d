import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { connectSmtp } from "../helpers/raw-smtp.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * Password guessing over SMTP AUTH: on one connection the first three failures are answered at
 * once, the next ones after a growing delay, and the sixth with 421 4.7.0 and a hang-up.
 */

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ smtpAuth: [{ user: "app", pass: "right" }] });
});
afterAll(() => sandbox.stop());

const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString("base64");

describe("SMTP AUTH brute force", () => {
  test("failures slow down after three and the sixth closes the connection with 421 4.7.0", async () => {
    const client = await connectSmtp(sandbox.smtpPort);
    await client.command("EHLO guesser.test");
    const timings: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const started = Date.now();
      const reply = await client.command(`AUTH PLAIN ${plain("app", `guess-${attempt}`)}`);
      timings.push(Date.now() - started);
      expect(reply.code, `attempt ${attempt}: ${reply.text}`).toBe(535);
    }
    // The first three are immediate; the fourth and fifth wait (1 s, then 2 s).
    expect(timings[3]).toBeGreaterThanOrEqual(950);
    expect(timings[4]).toBeGreaterThanOrEqual(1950);
    expect(Math.max(...timings.slice(0, 3))).toBeLessThan(timings[3]);
    const last = await client.command(`AUTH PLAIN ${plain("app", "guess-6")}`);
    expect(last.code).toBe(421);
    expect(last.text).toContain("4.7.0");
    await client.closed;
  });

  test("the limit is per connection: a new connection with the right password is served at once", async () => {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: sandbox.smtpPort,
      auth: { user: "app", pass: "right" },
      tls: { rejectUnauthorized: false },
    });
    const started = Date.now();
    const info = await transport.sendMail({
      from: "app@auth.test",
      to: "user@auth.test",
      subject: "after the guesser",
      text: "x",
    });
    expect(info.response).toMatch(/^250/);
    expect(Date.now() - started).toBeLessThan(5_000);
    transport.close();
  });

  test("nodemailer with a wrong password sees 535, not a delay, on its single attempt", async () => {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: sandbox.smtpPort,
      auth: { user: "app", pass: "wrong" },
      tls: { rejectUnauthorized: false },
    });
    const err = await transport
      .sendMail({ from: "app@auth.test", to: "user@auth.test", subject: "x", text: "x" })
      .catch((e: Error & { responseCode?: number }) => e);
    expect((err as { responseCode?: number }).responseCode).toBe(535);
    transport.close();
  });
});
