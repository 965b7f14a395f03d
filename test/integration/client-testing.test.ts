import net from "node:net";
import nodemailer from "nodemailer";
import { afterEach, expect, test } from "vitest";
import { Mailproof } from "../../src/client/index.js";
import { globalSetup, startSandbox } from "../../src/testing/index.js";

const NAMES = ["SMTP_HOST", "SMTP_PORT", "MAILPROOF_URL"] as const;
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

test("globalSetup exports SMTP_HOST, SMTP_PORT and MAILPROOF_URL for the app and the client, and its teardown undoes it", async () => {
  process.env.SMTP_HOST = "smtp.before.example";
  delete process.env.SMTP_PORT;
  delete process.env.MAILPROOF_URL;

  const teardown = await globalSetup({ logLevel: "silent" })();
  const { SMTP_HOST, SMTP_PORT, MAILPROOF_URL } = process.env;
  expect(SMTP_HOST).toBe("127.0.0.1");
  expect(SMTP_PORT).toMatch(/^\d+$/);
  expect(Number(SMTP_PORT)).toBeGreaterThan(0);
  expect(MAILPROOF_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  // What an app under test does with those variables, and a client configured by them alone.
  const mail = new Mailproof();
  const to = mail.address("global");
  await nodemailer
    .createTransport({ host: SMTP_HOST, port: Number(SMTP_PORT), ignoreTLS: true })
    .sendMail({ from: "app@saas.example", to, subject: "via env", text: "x" });
  expect((await mail.waitFor({ to })).subject).toBe("via env");

  await teardown();
  expect(process.env.SMTP_HOST).toBe("smtp.before.example");
  expect(process.env.SMTP_PORT).toBeUndefined();
  expect(process.env.MAILPROOF_URL).toBeUndefined();
  expect(await accepts(Number(SMTP_PORT))).toBe(false);
});

test("startSandbox runs on free ports with a bound client and the app's environment", async () => {
  const [a, b] = await Promise.all([
    startSandbox({ logLevel: "silent" }),
    startSandbox({ logLevel: "silent" }),
  ]);
  try {
    expect(a.smtpPort).not.toBe(b.smtpPort);
    expect(a.env).toEqual({
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(a.smtpPort),
      MAILPROOF_URL: a.url,
    });
    expect(a.mail.url).toBe(a.url);
    const to = a.mail.address();
    await nodemailer
      .createTransport({ host: a.smtpHost, port: a.smtpPort, ignoreTLS: true })
      .sendMail({ from: "app@saas.example", to, subject: "only in a", text: "x" });
    await a.mail.waitFor({ to });
    expect(await b.mail.messages(`to:${to}`)).toEqual([]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
