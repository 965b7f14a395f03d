import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Mailproof,
  MailproofClientError,
  MailproofTimeoutError,
  ReceivedMessage,
} from "../../src/client/index.js";
import { startSandbox, type TestSandbox } from "../../src/testing/index.js";
import type { SendMailOptions } from "nodemailer";

let sandbox: TestSandbox;
let mail: Mailproof;

function send(message: SendMailOptions) {
  const transport = nodemailer.createTransport({
    host: sandbox.smtpHost,
    port: sandbox.smtpPort,
    ignoreTLS: true,
  });
  return transport.sendMail({ from: "App <app@saas.example>", text: "hello", ...message });
}

beforeAll(async () => {
  sandbox = await startSandbox({ logLevel: "silent" });
  mail = sandbox.mail;
});
afterAll(() => sandbox?.stop());

describe("address()", () => {
  test("is unique per call, lower-case and on the configured domain", () => {
    const addresses = new Set(Array.from({ length: 200 }, () => mail.address("Signup Flow")));
    expect(addresses.size).toBe(200);
    for (const a of addresses)
      expect(a).toMatch(/^signup-flow-[a-z0-9]+-[0-9a-f]{10}@mailproof\.test$/);
    expect(new Mailproof({ url: sandbox.url, domain: "qa.example" }).address()).toMatch(
      /^test-.+@qa\.example$/,
    );
  });
});

describe("waitFor()", () => {
  test("resolves when the message arrives, with its analysis done", async () => {
    const to = mail.address("arrives");
    const waiting = mail.waitFor({ to, timeout: 10_000 });
    await send({ to, subject: "Welcome aboard" });
    const message = await waiting;
    expect(message).toBeInstanceOf(ReceivedMessage);
    expect(message.subject).toBe("Welcome aboard");
    expect(message.to).toEqual([{ name: null, address: to }]);
    expect(message.analysis.status).toBe("done");
    expect(message.text).toContain("hello");
    expect(message.findings).toBe(message.analysis.findings);
    expect(message.auth).toBe(message.analysis.auth);
  });

  test("finds mail that arrived before the call (no race between send and wait)", async () => {
    const to = mail.address("early");
    await send({ to, subject: "Already here" });
    expect((await mail.waitFor({ to, timeout: 5_000 })).subject).toBe("Already here");
  });

  test("to: is an exact address match, not a substring", async () => {
    const to = mail.address("exact");
    await send({ to: `x${to}`, subject: "for someone else" });
    await send({ to, subject: "for me" });
    expect((await mail.waitFor({ to })).subject).toBe("for me");
  });

  test("after: skips messages up to that id, time or message", async () => {
    const to = mail.address("after");
    await send({ to, subject: "first" });
    const first = await mail.waitFor({ to });
    await send({ to, subject: "second" });
    expect((await mail.waitFor({ to, after: first })).subject).toBe("second");
    expect((await mail.waitFor({ to, after: first.id })).subject).toBe("second");
    expect(
      (await mail.waitFor({ to, after: new Date(Date.parse(first.receivedAt) - 1) })).subject,
    ).toBe("first");
  });

  test("a RegExp subject skips earlier non-matching mail to the same address", async () => {
    const to = mail.address("regex");
    await send({ to, subject: "Verify your email" });
    await send({ to, subject: "Your invoice" });
    const waiting = mail.waitFor({ to, subject: /^reset/i, timeout: 10_000 });
    await send({ to, subject: "Reset your password" });
    expect((await waiting).subject).toBe("Reset your password");
  });

  test("a string subject is a case-insensitive substring, also with a double quote in it", async () => {
    const to = mail.address("substring");
    await send({ to, subject: 'Order "42" shipped' });
    await send({ to, subject: "Your ORDER is confirmed" });
    expect((await mail.waitFor({ to, subject: "order is" })).subject).toBe(
      "Your ORDER is confirmed",
    );
    expect((await mail.waitFor({ to, subject: '"42"' })).subject).toBe('Order "42" shipped');
  });

  test("from and query narrow the match", async () => {
    const to = mail.address("narrow");
    await send({ to, subject: "from billing", from: "billing@saas.example" });
    await send({ to, subject: "with a file", attachments: [{ filename: "a.txt", content: "x" }] });
    expect((await mail.waitFor({ to, from: "billing@saas.example" })).subject).toBe("from billing");
    expect((await mail.waitFor({ to, query: "has:attachment" })).subject).toBe("with a file");
  });

  test("a timeout names what did arrive for the address", async () => {
    const to = mail.address("timeout");
    await send({ to, subject: "Verify your email" });
    await mail.waitFor({ to });
    const error = await mail
      .waitFor({ to, subject: /reset/i, timeout: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailproofTimeoutError);
    const timeout = error as MailproofTimeoutError;
    expect(timeout.code).toBe("TIMEOUT");
    expect(timeout.message).toContain(`waiting for to ${to}, subject matching /reset/i`);
    expect(timeout.message).toMatch(
      new RegExp(
        `1 message arrived for ${to.replace(/[.+]/g, "\\$&")}:\\n\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+"Verify your email" from app@saas.example`,
      ),
    );
    expect(timeout.arrived.map((m) => m.subject)).toEqual(["Verify your email"]);
  });

  test("a timeout says when nothing arrived at all", async () => {
    const to = mail.address("nothing");
    const error = (await mail
      .waitFor({ to, timeout: 200 })
      .catch((e: unknown) => e)) as MailproofTimeoutError;
    expect(error).toBeInstanceOf(MailproofTimeoutError);
    expect(error.message).toContain(`Nothing arrived for ${to}.`);
    expect(error.arrived).toEqual([]);
  });

  test("rejects a negative timeout and a bad query with the server's code", async () => {
    await expect(mail.waitFor({ to: mail.address(), timeout: -1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(mail.waitFor({ query: "dmarc:maybe", timeout: 100 })).rejects.toMatchObject({
      code: "BAD_QUERY",
      status: 400,
    });
  });
});

describe("messages, get, raw, attachments, delete", () => {
  test("list, fetch, raw bytes and attachment bytes", async () => {
    const to = mail.address("crud");
    await send({
      to,
      subject: "Invoice 7",
      attachments: [
        { filename: "invoice.txt", content: "total: 12 EUR", contentType: "text/plain" },
      ],
    });
    const waited = await mail.waitFor({ to });
    const summaries = await mail.messages(`to:${to}`);
    expect(summaries.map((s) => s.id)).toEqual([waited.id]);
    expect(summaries[0]).toMatchObject({ subject: "Invoice 7", attachmentCount: 1 });

    const message = await mail.get(waited.id);
    expect(message.attachments).toEqual([
      expect.objectContaining({ filename: "invoice.txt", contentType: "text/plain", size: 13 }),
    ]);
    expect((await message.attachment("invoice.txt")).toString()).toBe("total: 12 EUR");
    expect((await message.attachment(message.attachments[0].id)).toString()).toBe("total: 12 EUR");
    await expect(message.attachment("missing.pdf")).rejects.toThrow(
      /no attachment "missing.pdf".*attachments: invoice.txt/,
    );

    const raw = await message.raw();
    expect(raw.toString()).toContain("Subject: Invoice 7");
    expect(raw.equals(await mail.raw(waited.id))).toBe(true);
    expect(message.header("subject")).toBe("Invoice 7");
  });

  test("delete(query) removes only matching mail and refuses an empty query", async () => {
    const keep = mail.address("keep");
    const drop = mail.address("drop");
    await send({ to: keep, subject: "keep me" });
    await send({ to: drop, subject: "drop me" });
    await mail.waitFor({ to: keep });
    await mail.waitFor({ to: drop });
    expect(await mail.delete(`to:${drop}`)).toBe(1);
    expect(await mail.messages(`to:${drop}`)).toEqual([]);
    expect(await mail.messages(`to:${keep}`)).toHaveLength(1);
    await expect(mail.delete("  ")).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  test("get() of an unknown id is a NOT_FOUND client error", async () => {
    const error = await mail.get("01JZZZZZZZZZZZZZZZZZZZZZZZ").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailproofClientError);
    expect(error).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  test("an unreachable sandbox is a NETWORK error naming the URL", async () => {
    const gone = await startSandbox({ logLevel: "silent" });
    await gone.stop();
    const error = await new Mailproof({ url: gone.url }).messages().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NETWORK" });
    expect((error as Error).message).toContain(gone.url);
  });

  test("clear() deletes everything", async () => {
    const own = await startSandbox({ logLevel: "silent" });
    try {
      const to = own.mail.address();
      const transport = nodemailer.createTransport({
        host: own.smtpHost,
        port: own.smtpPort,
        ignoreTLS: true,
      });
      await transport.sendMail({ from: "a@saas.example", to, subject: "one", text: "1" });
      await transport.sendMail({ from: "a@saas.example", to, subject: "two", text: "2" });
      await own.mail.waitFor({ to, subject: "two" });
      expect(await own.mail.clear()).toBe(2);
      expect(await own.mail.messages()).toEqual([]);
    } finally {
      await own.stop();
    }
  });
});

describe("new Mailproof()", () => {
  test("reads MAILPROOF_URL when no url is given, and says so when neither is there", () => {
    const saved = process.env.MAILPROOF_URL;
    try {
      process.env.MAILPROOF_URL = `${sandbox.url}/`;
      expect(new Mailproof().url).toBe(sandbox.url);
      delete process.env.MAILPROOF_URL;
      expect(() => new Mailproof()).toThrow(/pass \{ url \} or set MAILPROOF_URL/);
    } finally {
      if (saved === undefined) delete process.env.MAILPROOF_URL;
      else process.env.MAILPROOF_URL = saved;
    }
  });
});
