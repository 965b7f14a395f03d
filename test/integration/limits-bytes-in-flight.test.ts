import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { connectSmtp, queuedId, type RawSmtp } from "../helpers/raw-smtp.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * One budget for the message bytes being received at once, across SMTP connections and HTTP
 * ingestion paths: four max-size messages. While it is full, more mail gets a temporary
 * 452 4.3.1 (HTTP: 503 with Retry-After), and every message that was acknowledged is stored.
 */

const MAX_SIZE = 1024 * 1024;
const BUDGET = 4 * MAX_SIZE;
/** Four of these fit in the budget together; a fifth does not. */
const MESSAGE_BYTES = 1_000_000;
/** More than the room left while they are held (smtp-server holds back a message's last bytes until its end). */
const MORE_THAN_LEFT = BUDGET - 4 * MESSAGE_BYTES + 1000;
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ maxSize: MAX_SIZE });
});
afterAll(() => sandbox.stop());

function bigMessage(i: number): Buffer {
  const head = `From: big@limits.test\r\nTo: inbox@limits.test\r\nSubject: big ${i}\r\n\r\n`;
  const line = `${"x".repeat(98)}\r\n`;
  const body = line.repeat(Math.floor((MESSAGE_BYTES - head.length) / line.length));
  return Buffer.from(head + body + "y".repeat(MESSAGE_BYTES - head.length - body.length));
}

async function openTransaction(): Promise<RawSmtp> {
  const client = await connectSmtp(sandbox.smtpPort);
  expect((await client.command("EHLO limits.test")).code).toBe(250);
  expect((await client.command("MAIL FROM:<big@limits.test>")).code).toBe(250);
  expect((await client.command("RCPT TO:<inbox@limits.test>")).code).toBe(250);
  expect((await client.command("DATA")).code).toBe(354);
  return client;
}

async function finish(client: RawSmtp, data: Buffer = Buffer.alloc(0)) {
  const reply = client.reply();
  await client.write(Buffer.concat([data, Buffer.from("\r\n.\r\n")]));
  return reply;
}

const stored = async () =>
  (await api(sandbox, "/api/messages?query=to:inbox@limits.test")).body.total as number;

describe("bytes in flight", () => {
  test("while four large messages are being received, more mail is told to come back later, and nothing acknowledged is lost", async () => {
    const before = await stored();
    const holders = await Promise.all(Array.from({ length: 4 }, () => openTransaction()));
    // Each message is sent but its final dot held back, so the server keeps holding its bytes.
    await Promise.all(holders.map((client, i) => client.write(bigMessage(i))));

    // A MAIL FROM declaring a SIZE that no longer fits is refused before any data (RFC 1870 §6).
    const probe = await connectSmtp(sandbox.smtpPort);
    await probe.command("EHLO limits.test");
    const deadline = Date.now() + 20_000;
    let sized = await probe.command(`MAIL FROM:<big@limits.test> SIZE=${MORE_THAN_LEFT}`);
    while (sized.code === 250 && Date.now() < deadline) {
      await probe.command("RSET");
      await new Promise((resolve) => setTimeout(resolve, 50));
      sized = await probe.command(`MAIL FROM:<big@limits.test> SIZE=${MORE_THAN_LEFT}`);
    }
    expect(sized.code, sized.text).toBe(452);
    expect(sized.text).toContain("4.3.1");
    expect((await probe.command("MAIL FROM:<big@limits.test> SIZE=1000")).code).toBe(250);
    probe.close();

    // HTTP ingestion: 503 with Retry-After, in our JSON format and in each provider's. The answer
    // comes before the body is read, so the server closes each connection: none is reused.
    const close = { connection: "close" };
    const padding = "p".repeat(MORE_THAN_LEFT);
    const upload = await api(sandbox, "/api/messages", {
      method: "POST",
      headers: { ...close, "content-type": "message/rfc822" },
      body: `Subject: upload\r\n\r\n${padding}\r\n`,
    });
    expect(upload.status).toBe(503);
    expect(upload.body.error.code).toBe("BUSY");
    expect(Number(upload.headers.get("retry-after"))).toBeGreaterThan(0);
    const mailpit = await api(sandbox, "/api/v1/send", {
      method: "POST",
      headers: { ...close, "content-type": "application/json" },
      body: JSON.stringify({ padding }),
    });
    expect(mailpit.status).toBe(503);
    expect(mailpit.body.error.code).toBe("BUSY");
    const sendgrid = await api(sandbox, "/sendgrid/v3/mail/send", {
      method: "POST",
      headers: { ...close, authorization: "Bearer SG.x", "content-type": "application/json" },
      body: JSON.stringify({ padding }),
    });
    expect(sendgrid.status).toBe(503);
    expect(sendgrid.body.errors[0].message).toBe("service unavailable");
    expect(sendgrid.headers.get("retry-after")).not.toBeNull();
    const postmark = await api(sandbox, "/postmark/email", {
      method: "POST",
      headers: { ...close, "content-type": "application/json" },
      body: JSON.stringify({ padding }),
    });
    expect(postmark.status).toBe(503);
    expect(typeof postmark.body.ErrorCode).toBe("number");
    const sesV1 = await api(sandbox, "/ses/", {
      method: "POST",
      headers: { ...close, "content-type": "application/x-www-form-urlencoded" },
      body: `Action=SendEmail&Padding=${padding}`,
    });
    expect(sesV1.status).toBe(503);
    expect(String(sesV1.body)).toContain("<Code>ServiceUnavailable</Code>");
    expect(sesV1.headers.get("retry-after")).not.toBeNull();

    // DATA is refused before 354 once the SIZE declared on MAIL FROM no longer fits.
    const declared = await connectSmtp(sandbox.smtpPort);
    await declared.command("EHLO limits.test");
    expect((await declared.command("MAIL FROM:<big@limits.test> SIZE=150000")).code).toBe(250);
    expect((await declared.command("RCPT TO:<inbox@limits.test>")).code).toBe(250);
    const filler = await openTransaction();
    await filler.write(`${"f".repeat(98)}\r\n`.repeat(1000));
    const filled = await connectSmtp(sandbox.smtpPort);
    await filled.command("EHLO limits.test");
    let fits = await filled.command("MAIL FROM:<big@limits.test> SIZE=150000");
    while (fits.code === 250 && Date.now() < deadline + 20_000) {
      await filled.command("RSET");
      await new Promise((resolve) => setTimeout(resolve, 50));
      fits = await filled.command("MAIL FROM:<big@limits.test> SIZE=150000");
    }
    filled.close();
    const data = await declared.command("DATA");
    expect(data.code, data.text).toBe(452);
    expect(data.text).toContain("4.3.1");
    declared.close();
    // A client that gives up mid-message releases what it held.
    filler.close();

    // Two more SMTP messages start (their DATA is still allowed: a little room is left) and do
    // not fit: they are drained and refused with a temporary error after their final dot.
    const latecomers = await Promise.all([openTransaction(), openTransaction()]);
    const refused = await Promise.all(
      latecomers.map((client, i) => finish(client, bigMessage(10 + i))),
    );
    for (const reply of refused) {
      expect(reply.code, reply.text).toBe(452);
      expect(reply.text).toContain("4.3.1");
    }

    // The held messages complete and are stored; each 250 names a stored message.
    const accepted = await Promise.all(holders.map((client) => finish(client)));
    for (const reply of accepted) {
      expect(reply.code, reply.text).toBe(250);
      expect((await api(sandbox, `/api/messages/${queuedId(reply)}`)).status).toBe(200);
    }
    expect(await stored()).toBe(before + 4);

    // A refused sender retries, as a client does after a 4xx, and now gets through.
    const retry = await finish(latecomers[0], bigMessage(20)).catch(() => null);
    if (retry === null || retry.code !== 250) {
      const again = await openTransaction();
      expect((await finish(again, bigMessage(20))).code).toBe(250);
      again.close();
    }
    for (const client of [...holders, ...latecomers]) client.close();
    expect(
      (
        await api(sandbox, "/api/messages", {
          method: "POST",
          headers: { "content-type": "message/rfc822" },
          body: "Subject: small\r\n\r\nx\r\n",
        })
      ).status,
    ).toBe(201);
  });
});
