import nodemailer from "nodemailer";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { connectSmtp, queuedId, type RawSmtp, type SmtpReply } from "../helpers/raw-smtp.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * Hostile SMTP clients against a real sandbox: each abuse gets a protocol answer (or a closed
 * connection), and afterwards the sandbox is healthy and a well-behaved client still delivers.
 */

const IDLE_TIMEOUT = 800;
let sandbox: Sandbox;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}@abuse.test`;
const opened: RawSmtp[] = [];

async function open(port = sandbox.smtpPort): Promise<RawSmtp> {
  const client = await connectSmtp(port);
  opened.push(client);
  return client;
}

/** Reads `count` replies (pipelined commands are answered in order). */
async function replies(client: RawSmtp, count: number): Promise<SmtpReply[]> {
  const out: SmtpReply[] = [];
  for (let i = 0; i < count; i++) out.push(await client.reply());
  return out;
}

async function expectHealthyAndDelivering(target: Sandbox = sandbox) {
  const health = await api(target, "/api/health");
  expect(health.status).toBe(200);
  expect(health.body.status).toBe("ok");
  const to = unique("after");
  const info = await nodemailer
    .createTransport({ host: "127.0.0.1", port: target.smtpPort, ignoreTLS: true })
    .sendMail({ from: "ok@abuse.test", to, subject: "still here", text: "hi" });
  expect(info.response).toMatch(/^250 /);
  const found = await api(target, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`);
  expect(found.body.total).toBe(1);
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ smtpTimeout: IDLE_TIMEOUT });
});
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
});
afterAll(() => sandbox.stop());

test("a 1 MB command line gets 421 and the connection is closed", async () => {
  const client = await open();
  void client.write(`EHLO ${"a".repeat(1024 * 1024)}\r\n`).catch(() => undefined);
  const reply = await client.reply();
  expect(reply.code).toBe(421);
  expect(reply.text).toMatch(/line too long/i);
  await client.closed;
  await expectHealthyAndDelivering();
});

test("a pipelined flood of 5,000 commands is answered in order", async () => {
  const client = await open();
  await client.write(
    `EHLO flood.test\r\n${"NOOP\r\n".repeat(2500)}${"RSET\r\n".repeat(2499)}QUIT\r\n`,
  );
  const all = await replies(client, 5001);
  expect(all[0].code).toBe(250);
  expect(all.slice(1, 5000).every((r) => r.code === 250)).toBe(true);
  expect(all[5000].code).toBe(221);
  await client.closed;
  await expectHealthyAndDelivering();
});

test("10,000 RCPT: the first 1,000 are accepted, the rest get 452 4.5.3, and the message goes to the 1,000", async () => {
  const client = await open();
  await client.command("EHLO rcpt.test");
  expect((await client.command("MAIL FROM:<many@abuse.test>")).code).toBe(250);
  const tag = unique("rcpt").split("@")[0];
  await client.write(
    Array.from({ length: 10_000 }, (_, i) => `RCPT TO:<${tag}-${i}@abuse.test>\r\n`).join(""),
  );
  const answers = await replies(client, 10_000);
  expect(answers.slice(0, 1000).every((r) => r.code === 250)).toBe(true);
  const refused = answers.slice(1000);
  expect(refused.every((r) => r.code === 452)).toBe(true);
  // RFC 5321 §4.5.3.1.10: too many recipients is 452, and RFC 3463 §3.6 names 4.5.3.
  expect(refused[0].text).toMatch(/^452 4\.5\.3 /);
  expect((await client.command("DATA")).code).toBe(354);
  await client.write("Subject: many\r\n\r\nhello\r\n.\r\n");
  const final = await client.reply();
  expect(final.code).toBe(250);
  const message = await api(sandbox, `/api/messages/${queuedId(final)}`);
  expect(message.body.envelope.rcptTo).toHaveLength(1000);
  await expectHealthyAndDelivering();
});

test("NUL bytes in commands get a 5xx, not a crash", async () => {
  const client = await open();
  expect((await client.command("EHLO nul\0host")).code).toBeGreaterThanOrEqual(250);
  const mail = await client.command("MAIL FROM:<a\0b@abuse.test>");
  expect(mail.code).toBeGreaterThanOrEqual(500);
  expect((await client.command("\0\0\0")).code).toBeGreaterThanOrEqual(500);
  await expectHealthyAndDelivering();
});

test("NUL bytes inside DATA are stored as sent", async () => {
  const client = await open();
  await client.command("EHLO nul.test");
  const raw = Buffer.from("Subject: nul\r\n\r\nbefore\0after\r\n");
  const reply = await client.send("nul@abuse.test", [unique("nul")], raw);
  expect(reply.code).toBe(250);
  const stored = await fetch(`${sandbox.url}/api/messages/${queuedId(reply)}/raw`);
  expect(Buffer.from(await stored.arrayBuffer()).equals(raw)).toBe(true);
});

test("unknown commands: 500 each, and 421 with a closed connection after ten", async () => {
  const client = await open();
  const first = await client.command("XYZZY");
  expect(first.code).toBe(500);
  await client.write("FOO\r\n".repeat(20));
  const later = await replies(client, 9);
  expect(later.slice(0, 8).every((r) => r.code === 500)).toBe(true);
  expect(later[8].code).toBe(421);
  await client.closed;
  await expectHealthyAndDelivering();
});

test("an idle connection is closed with 421 after --smtp-timeout", async () => {
  const client = await open();
  await client.command("EHLO idle.test");
  const reply = await client.reply();
  expect(reply.code).toBe(421);
  expect(reply.text).toMatch(/timeout/i);
  await client.closed;
});

test("slowloris: a client that stalls halfway through a line or through DATA is cut at the idle timeout", async () => {
  const inCommand = await open();
  for (const byte of "EHLO slo") {
    await inCommand.write(byte);
    await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT / 4));
  }
  const inData = await open();
  await inData.command("EHLO slow.test");
  await inData.command("MAIL FROM:<slow@abuse.test>");
  await inData.command(`RCPT TO:<${unique("slow")}>`);
  expect((await inData.command("DATA")).code).toBe(354);
  await inData.write("Subject: slow\r\n\r\nthe rest never comes");
  // Meanwhile a well-behaved client is served.
  await expectHealthyAndDelivering();
  expect((await inCommand.reply()).code).toBe(421);
  await Promise.all([inCommand.closed, inData.closed]);
});

describe("--max-connections", () => {
  let limited: Sandbox;
  beforeAll(async () => {
    limited = await startTestSandbox({ maxConnections: 3 });
  });
  afterAll(() => limited.stop());

  test("connections beyond the limit get 421 and are closed; freed slots are served again", async () => {
    const held = await Promise.all([
      open(limited.smtpPort),
      open(limited.smtpPort),
      open(limited.smtpPort),
    ]);
    await expect(connectSmtp(limited.smtpPort)).rejects.toThrow(/greeting: 421 /);
    for (const client of held) {
      expect((await client.command("NOOP")).code).toBe(250);
      await client.command("QUIT");
      await client.closed;
    }
    await expectHealthyAndDelivering(limited);
  });
});
