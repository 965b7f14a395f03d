import { simpleParser, type ParsedMail } from "mailparser";
import nodemailer from "nodemailer";
import PostalMime, { type Email } from "postal-mime";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** `app` plays the application's own inbound SMTP server, where `--inbound` delivers. */
let app: Sandbox;
let sandbox: Sandbox;
let counter = 0;
const SIM = "simulator.mailproof.test";

beforeAll(async () => {
  app = await startTestSandbox();
  sandbox = await startTestSandbox({
    inbound: `smtp://127.0.0.1:${app.smtpPort}`,
    bounces: [
      { match: { to: "*@full.test" }, type: "soft", delayMs: 150 },
      { match: { to: "*@gone.test" }, type: "hard" },
    ],
  });
});
afterAll(async () => {
  await sandbox.stop();
  await app.stop();
});

async function send(mail: {
  from?: string;
  returnPath?: string;
  to: string[];
  headers?: Record<string, string>;
}): Promise<{ id: string; subject: string }> {
  const subject = `round trip ${++counter} ünïcode`;
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  await transport.sendMail({
    from: mail.from ?? "App <noreply@app.test>",
    to: mail.to,
    subject,
    text: "Please verify your address.",
    headers: mail.headers,
    messageId: `<m${counter}@app.test>`,
    envelope: { from: mail.returnPath ?? "noreply@app.test", to: mail.to },
  });
  transport.close();
  const { body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`subject:"round trip ${counter} "`)}&after=1970-01-01T00:00:00Z`,
  );
  return { id: body.id as string, subject };
}

async function waitFor(target: Sandbox, query: string) {
  const { status, body } = await api(
    target,
    `/api/wait?query=${encodeURIComponent(query)}&after=1970-01-01T00:00:00Z&timeout=10000`,
  );
  expect(status).toBe(200);
  return body;
}

/**
 * The raw message read by two parsers: mailparser (headers, text) and postal-mime, which keeps the
 * report parts (message/delivery-status, message/feedback-report) as parts of their own.
 */
async function parsedRaw(
  target: Sandbox,
  id: string,
): Promise<{ mail: ParsedMail; parts: Email["attachments"] }> {
  const raw = Buffer.from(
    await (await fetch(`${target.url}/api/messages/${id}/raw`)).arrayBuffer(),
  );
  return { mail: await simpleParser(raw), parts: (await PostalMime.parse(raw)).attachments };
}

const partText = (parts: Email["attachments"], contentType: string): string => {
  const part = parts.find((a) => a.mimeType === contentType);
  expect(part, `a ${contentType} part`).toBeDefined();
  return Buffer.from(part!.content as ArrayBuffer).toString("utf8");
};

/** The fields of a report part: blocks separated by blank lines, each "Name: value" (RFC 3464 §2.1). */
function reportBlocks(
  parsed: { parts: Email["attachments"] },
  contentType: string,
): Array<Record<string, string>> {
  return partText(parsed.parts, contentType)
    .trim()
    .split(/\r?\n\r?\n/)
    .map((block) =>
      Object.fromEntries(
        block
          .split(/\r?\n/)
          .map((line) => [
            line.slice(0, line.indexOf(":")).toLowerCase(),
            line.slice(line.indexOf(":") + 1).trim(),
          ]),
      ),
    );
}

describe("bounces, complaints and auto-replies", () => {
  test("bounce@ gets an RFC 3464 DSN to the VERP Return-Path, captured as dsn, linked both ways and delivered to --inbound", async () => {
    const verp = "bounces+ann=example.com@app.test";
    const original = await send({ returnPath: verp, to: [`bounce@${SIM}`] });
    const dsn = await waitFor(sandbox, `source:dsn to:${verp}`);
    expect(dsn.source.kind).toBe("dsn");
    expect(dsn.envelope.rcptTo).toEqual([verp]);
    expect(dsn.envelope.mailFrom ?? "").toBe("");
    expect(dsn.from.address).toBe(`MAILER-DAEMON@${SIM}`);
    expect(dsn.originalId).toBe(original.id);
    expect((await api(sandbox, `/api/messages/${original.id}`)).body.originalId).toBeNull();
    // The reverse link: the search the UI runs from the original finds its bounce.
    const responses = await api(
      sandbox,
      `/api/messages?query=${encodeURIComponent(`tag:original:${original.id}`)}`,
    );
    expect(responses.body.messages.map((m: { id: string }) => m.id)).toEqual([dsn.id]);

    const parsed = await parsedRaw(sandbox, dsn.id);
    expect(parsed.mail.headers.get("content-type")).toMatchObject({
      value: "multipart/report",
      params: { "report-type": "delivery-status" },
    });
    expect(parsed.mail.text).toContain("Status: 5.1.1");
    const [perMessage, perRecipient] = reportBlocks(parsed, "message/delivery-status");
    expect(perMessage).toMatchObject({
      "reporting-mta": `dns; ${SIM}`,
      "arrival-date": expect.stringMatching(/\d{2}:\d{2}:\d{2} \+0000$/),
    });
    expect(perRecipient).toMatchObject({
      "final-recipient": `rfc822; bounce@${SIM}`,
      action: "failed",
      status: "5.1.1",
      "diagnostic-code": expect.stringMatching(/^smtp; 550 5\.1\.1 /),
    });
    const headers = partText(parsed.parts, "text/rfc822-headers");
    expect(headers).toContain(`Message-ID: <m${counter}@app.test>`);

    const delivered = await waitFor(app, `to:${verp}`);
    expect(delivered.envelope).toMatchObject({ rcptTo: [verp] });
    expect(delivered.subject).toBe("Undelivered Mail Returned to Sender");
  });

  test("a config rule answers after its delay with a 4.2.2 delayed DSN", async () => {
    const sentAt = Date.now();
    await send({ returnPath: "soft@app.test", to: ["carol@full.test", "dave@full.test"] });
    const dsn = await waitFor(sandbox, "source:dsn to:soft@app.test");
    expect(Date.parse(dsn.receivedAt) - sentAt).toBeGreaterThanOrEqual(150);
    const [, ...recipients] = reportBlocks(
      await parsedRaw(sandbox, dsn.id),
      "message/delivery-status",
    );
    expect(recipients.map((r) => [r["final-recipient"], r.action, r.status])).toEqual([
      ["rfc822; carol@full.test", "delayed", "4.2.2"],
      ["rfc822; dave@full.test", "delayed", "4.2.2"],
    ]);
  });

  test("complaint@ gets an RFC 5965 ARF report with the original message", async () => {
    const original = await send({ returnPath: "fbl@app.test", to: [`complaint+t1@${SIM}`] });
    const arf = await waitFor(sandbox, "source:dsn to:fbl@app.test");
    expect(arf.originalId).toBe(original.id);
    const parsed = await parsedRaw(sandbox, arf.id);
    expect(parsed.mail.headers.get("content-type")).toMatchObject({
      value: "multipart/report",
      params: { "report-type": "feedback-report" },
    });
    const [fields] = reportBlocks(parsed, "message/feedback-report");
    expect(fields).toMatchObject({
      "feedback-type": "abuse",
      version: "1",
      "original-mail-from": "<fbl@app.test>",
      "original-rcpt-to": `<complaint+t1@${SIM}>`,
      "user-agent": expect.any(String),
      "arrival-date": expect.any(String),
    });
    expect((await simpleParser(partText(parsed.parts, "message/rfc822"))).subject).toBe(
      original.subject,
    );
  });

  test("ooo@ gets an RFC 3834 auto-reply from the recipient, threaded to the original", async () => {
    const original = await send({ returnPath: "replies@app.test", to: [`ooo@${SIM}`] });
    const reply = await waitFor(sandbox, "source:dsn to:replies@app.test");
    expect(reply.from.address).toBe(`ooo@${SIM}`);
    expect(reply.subject).toBe(`Automatic reply: ${original.subject}`);
    const header = (name: string) =>
      reply.headers.find((h: { name: string }) => h.name.toLowerCase() === name)?.value;
    expect(header("auto-submitted")).toBe("auto-replied");
    expect(header("in-reply-to")).toBe(`<m${counter}@app.test>`);
    expect(header("references")).toBe(`<m${counter}@app.test>`);
  });

  test("never loops: no DSN for the null sender, no auto-reply to auto-submitted mail, a DSN to a simulator address is not bounced again", async () => {
    await send({ returnPath: "", to: [`bounce@${SIM}`] });
    await send({
      returnPath: "auto@app.test",
      to: [`ooo@${SIM}`],
      headers: { "Auto-Submitted": "auto-generated" },
    });
    const looping = await send({ returnPath: `bounce+loop@${SIM}`, to: [`bounce@${SIM}`] });
    // A marker sent last: once its DSN is in, the earlier ones would be too.
    await send({ returnPath: "marker@app.test", to: [`bounce@${SIM}`] });
    await waitFor(sandbox, "source:dsn to:marker@app.test");
    const loopDsn = await waitFor(sandbox, `source:dsn to:bounce+loop@${SIM}`);
    expect(loopDsn.originalId).toBe(looping.id);
    const dsns = (
      await api(sandbox, `/api/messages?query=${encodeURIComponent("source:dsn")}&limit=100`)
    ).body.messages;
    expect(
      dsns.filter((m: { to: Array<{ address: string }> }) =>
        m.to.some((a) => a.address === "auto@app.test" || a.address === `bounce+loop@${SIM}`),
      ).length,
    ).toBe(1);
    expect(
      dsns.filter(
        (m: { to: Array<{ address: string }> }) =>
          m.to.length === 0 || m.to.some((a) => a.address === ""),
      ).length,
    ).toBe(0);
  });
});
