import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadConfig } from "../../examples/saas-auth/src/config.js";
import { createMailQueue, type QueueEvent } from "../../examples/saas-auth/src/mail-queue.js";
import { createSender } from "../../examples/saas-auth/src/senders.js";
import type { Sandbox } from "../../src/sandbox.js";
import type { SessionTranscript } from "../../src/core/transcripts.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * The example app's mail worker (examples/saas-auth: retries with backoff, dead letters) against
 * deterministic SMTP faults: a transient failure is retried and delivered once, a permanent one
 * is dead-lettered with its reason logged, and the transcripts show what happened on the wire.
 */
let sandbox: Sandbox;
let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}@worker.test`;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox?.stop());

async function putFaults(rules: unknown[]) {
  const { status } = await api(sandbox, "/api/faults", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rules }),
  });
  expect(status).toBe(200);
}

function worker() {
  const lines: Array<Record<string, any>> = [];
  const logger = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  const sender = createSender(
    loadConfig({
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(sandbox.smtpPort),
      MAIL_FROM: "billing@saas.example",
    }),
  );
  const events: QueueEvent[] = [];
  const queue = createMailQueue(
    { send: sender.send, logger, onEvent: (e) => events.push(e) },
    { baseDelayMs: 20, maxAttempts: 4, jitter: 0 },
  );
  return { queue, lines, events, close: () => sender.close() };
}

const mail = (to: string) => ({
  to,
  subject: "Your receipt",
  text: "Thanks",
  html: "<p>Thanks</p>",
});

async function sessionsWithRecipient(to: string, count: number): Promise<SessionTranscript[]> {
  for (let poll = 0; poll < 200; poll++) {
    const { body } = await api(sandbox, "/api/sessions?limit=100");
    const full = await Promise.all(
      body.sessions.map(
        async (s: { id: string }) =>
          (await api<SessionTranscript>(sandbox, `/api/sessions/${s.id}`)).body,
      ),
    );
    const mine = full.filter((s) =>
      s.lines.some((l: { text: string }) => l.text === `RCPT TO:<${to}>`),
    );
    if (mine.length >= count && mine.every((s) => s.endedAt !== null)) return mine.reverse();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${count} closed sessions for ${to}`);
}

test("greylisting (450 twice at RCPT) is retried with backoff and delivered exactly once", async () => {
  const to = unique("greylisted");
  await putFaults([
    {
      stage: "rcpt",
      match: { to },
      reply: { code: 450, message: "4.2.0 Greylisted, try again later" },
      times: 2,
    },
  ]);
  const { queue, lines, events, close } = worker();
  queue.enqueue("receipt", mail(to));
  await queue.idle();
  close();

  expect(events.map((e) => e.type)).toEqual(["retry", "retry", "sent"]);
  expect(queue.stats()).toMatchObject({ sent: 1, retries: 2, deadLettered: 0 });
  const { body } = await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`);
  expect(body.messages).toHaveLength(1);
  expect(
    lines.filter((l) => l.msg === "mail send failed; will retry").map((l) => l.err.responseCode),
  ).toEqual([450, 450]);

  const sessions = await sessionsWithRecipient(to, 3);
  expect(sessions.map((s) => s.faults.map((f) => f.reply?.code))).toEqual([[450], [450], []]);
  expect(sessions.map((s) => s.messageIds.length)).toEqual([0, 0, 1]);
  expect(sessions[2].messageIds[0]).toBe(body.messages[0].id);
});

test("a permanent 550 is dead-lettered after one attempt with the reason logged; nothing is stored", async () => {
  const to = unique("gone");
  await putFaults([
    {
      stage: "rcpt",
      match: { to },
      reply: { code: 550, message: "5.1.1 The email account does not exist" },
    },
  ]);
  const { queue, lines, close } = worker();
  const jobId = queue.enqueue("receipt", mail(to));
  await queue.idle();
  close();

  expect(queue.deadLetters()).toEqual([
    expect.objectContaining({
      job: expect.objectContaining({ id: jobId, attempts: 1 }),
      responseCode: 550,
      permanent: true,
      error: expect.stringContaining("5.1.1 The email account does not exist"),
    }),
  ]);
  expect(lines.find((l) => l.level === 50)).toMatchObject({
    msg: "mail failed permanently; dead-lettered",
    jobId,
    err: expect.objectContaining({ responseCode: 550 }),
  });
  expect(
    (await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`)).body.messages,
  ).toEqual([]);
  const [session] = await sessionsWithRecipient(to, 1);
  expect(session.lines.map((l) => l.text)).toContain("550 5.1.1 The email account does not exist");
});

test("a dropped connection mid-DATA is transient: retried and delivered once", async () => {
  const to = unique("dropped");
  await putFaults([{ stage: "data", match: { to }, disconnect: true, times: 1 }]);
  const { queue, events, close } = worker();
  queue.enqueue("receipt", mail(to));
  await queue.idle();
  close();

  expect(events.map((e) => e.type)).toEqual(["retry", "sent"]);
  expect(
    (await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`)).body.messages,
  ).toHaveLength(1);
  const sessions = await sessionsWithRecipient(to, 2);
  expect(sessions[0].faults).toEqual([
    expect.objectContaining({ stage: "data", disconnect: true }),
  ]);
});
