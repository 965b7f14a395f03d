import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { startCli, type RunningCli } from "../helpers/cli.js";
import { connectSmtp, queuedId, type RawSmtp } from "../helpers/raw-smtp.js";

/**
 * Nothing acknowledged is lost when the process dies (DESIGN: no 250 or 2xx before the commit).
 * Real processes: the built CLI takes mail over 8 SMTP connections and the SendGrid mock, gets
 * SIGKILLed mid-run, and a second process on the same --db must hold every acknowledged message.
 */

const TOTAL = 300;
const CONNECTIONS = 8;
/** SIGKILL once this many SMTP messages have their 250, so plenty are in flight at the moment. */
const KILL_AFTER = 120;

const dir = mkdtempSync(join(tmpdir(), "mailproof-durability-"));
const db = join(dir, "mail.db");
const running: RunningCli[] = [];

afterAll(async () => {
  for (const cli of running) await cli.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function message(n: number): Buffer {
  // A line starting with "." checks dot-stuffing both ways, the 8-bit line that bytes are kept as sent.
  return Buffer.concat([
    Buffer.from(
      `From: Durable <durable@example.test>\r\nTo: rcpt-${n}@example.test\r\nSubject: durable ${n}\r\n` +
        `Message-ID: <durable-${n}-${process.pid}@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
        `message ${n}\r\n.leading dot\r\n`,
    ),
    Buffer.from([0xc3, 0xa9, 0x0d, 0x0a]),
    Buffer.from(`${"x".repeat(n % 7 === 0 ? 20_000 : 200)}\r\n`),
  ]);
}

test("every message acknowledged before SIGKILL is stored intact after a restart", async () => {
  const first = await startCli(["--db", db]);
  running.push(first);

  const acked = new Map<string, Buffer>();
  let next = 0;
  let killed = false;
  // Set inside a worker: the `as` keeps TypeScript from narrowing it to null at the end.
  let killing = null as Promise<unknown> | null;

  const smtpWorker = async () => {
    let client: RawSmtp;
    try {
      client = await connectSmtp(first.smtpPort);
      await client.command("EHLO durability.test");
    } catch {
      return;
    }
    while (next < TOTAL && !killed) {
      const n = next++;
      const raw = message(n);
      try {
        const reply = await client.send("durable@example.test", [`rcpt-${n}@example.test`], raw);
        if (reply.code !== 250) throw new Error(`unexpected reply ${reply.text}`);
        const id = queuedId(reply);
        expect(id, reply.text).toBeTruthy();
        acked.set(id!, raw);
        if (acked.size >= KILL_AFTER && !killing) {
          killed = true;
          killing = first.stop("SIGKILL");
        }
      } catch (err) {
        // Only a connection cut by the kill may fail a send; anything else is a bug.
        if (!killed) throw err;
        return;
      }
    }
    client.close();
  };

  // Provider API sends run beside the SMTP traffic until the kill.
  const apiAcked = new Map<string, { to: string; subject: string }>();
  const apiWorker = async () => {
    for (let i = 0; !killed; i++) {
      const to = `api-${i}-${process.pid}@example.test`;
      const subject = `api durable ${i}`;
      try {
        const response = await fetch(`${first.url}/sendgrid/v3/mail/send`, {
          method: "POST",
          headers: { authorization: "Bearer SG.durability", "content-type": "application/json" },
          body: JSON.stringify({
            personalizations: [{ to: [{ email: to }] }],
            from: { email: "durable@example.test" },
            subject,
            content: [{ type: "text/plain", value: `body ${i}` }],
          }),
        });
        if (response.status !== 202)
          throw new Error(`unexpected status ${response.status}: ${await response.text()}`);
        apiAcked.set(response.headers.get("x-message-id")!, { to, subject });
      } catch (err) {
        if (!killed) throw err;
        return;
      }
    }
  };

  await Promise.all([...Array.from({ length: CONNECTIONS }, smtpWorker), apiWorker()]);
  expect(killed).toBe(true);
  expect(await killing).toBe(null); // killed by a signal, no exit code
  expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
  expect(apiAcked.size).toBeGreaterThan(0);

  const second = await startCli(["--db", db]);
  running.push(second);
  for (const [id, raw] of acked) {
    const response = await fetch(`${second.url}/api/messages/${id}/raw`);
    expect(response.status, `message ${id}`).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(raw), `raw bytes of ${id}`).toBe(true);
  }
  for (const [xMessageId, sent] of apiAcked) {
    const response = await fetch(
      `${second.url}/api/messages?query=${encodeURIComponent(`to:${sent.to}`)}`,
    );
    const { messages } = (await response.json()) as {
      messages: Array<{ id: string; source: { providerMessageId: string }; subject: string }>;
    };
    expect(messages, `provider send ${xMessageId}`).toHaveLength(1);
    expect(messages[0].source.providerMessageId).toBe(xMessageId);
    expect(messages[0].subject).toBe(sent.subject);
    const raw = await fetch(`${second.url}/api/messages/${messages[0].id}/raw`);
    expect(raw.status).toBe(200);
    expect((await raw.text()).includes(`Subject: ${sent.subject}`)).toBe(true);
  }

  // Analyses cut off by the kill are run again after the restart: none stays pending.
  const deadline = Date.now() + 20_000;
  for (const id of acked.keys()) {
    for (;;) {
      const message = (await (await fetch(`${second.url}/api/messages/${id}`)).json()) as {
        analysis: { status: string };
      };
      if (message.analysis.status === "done") break;
      if (Date.now() > deadline)
        throw new Error(`analysis of ${id} still pending after the restart`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // The restarted server goes on taking mail on the same database.
  const client = await connectSmtp(second.smtpPort);
  await client.command("EHLO durability.test");
  const reply = await client.send("durable@example.test", ["after@example.test"], message(TOTAL));
  expect(reply.code).toBe(250);
  client.close();
  const health = (await (await fetch(`${second.url}/api/health`)).json()) as { messages: number };
  expect(health.messages).toBeGreaterThanOrEqual(acked.size + apiAcked.size + 1);
  expect(await second.stop()).toBe(0);
});
