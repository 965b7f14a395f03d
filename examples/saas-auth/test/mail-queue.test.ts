import net from "node:net";
import { Writable } from "node:stream";
import { startSandbox, type TestSandbox } from "mailproof/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../src/config.js";
import {
  backoffDelay,
  createMailQueue,
  defaultRetryPolicy,
  isPermanentFailure,
  type QueueEvent,
  type RetryPolicy,
} from "../src/mail-queue.js";
import { createSender } from "../src/senders.js";

/** A sandbox that demands credentials and takes one connection at a time (421 beyond it). */
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    smtpAuth: [{ user: "app", pass: "secret" }],
    maxConnections: 1,
    logLevel: "silent",
  });
});
afterAll(() => sandbox?.stop());

/** A pino logger whose JSON lines the test can read. */
function capturedLogger() {
  const lines: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

function queueFor(env: Record<string, string>, policy: Partial<RetryPolicy> = {}) {
  const sender = createSender(
    loadConfig({ SMTP_HOST: sandbox.smtpHost, MAIL_FROM: "billing@saas.example", ...env }),
  );
  const { logger, lines } = capturedLogger();
  const events: QueueEvent[] = [];
  const listeners: Array<(e: QueueEvent) => void> = [];
  const onEvent = (e: QueueEvent) => {
    events.push(e);
    for (const listener of listeners) listener(e);
  };
  const queue = createMailQueue(
    { send: sender.send, logger, onEvent },
    { baseDelayMs: 20, maxAttempts: 4, jitter: 0, ...policy },
  );
  /** Resolves at the next event of this type. */
  const next = (type: QueueEvent["type"]) =>
    new Promise<void>((resolve) => listeners.push((e) => e.type === type && resolve()));
  return { queue, lines, events, next, close: () => sender.close() };
}

const mailTo = (to: string) => ({ to, subject: "Receipt", text: "Thanks", html: "<p>Thanks</p>" });

test("a transient 421 is retried and the mail is delivered exactly once", async () => {
  // Hold the only connection slot so the first attempt is turned away with 421.
  const blocker = net.connect(sandbox.smtpPort, sandbox.smtpHost);
  await new Promise((resolve) => blocker.once("data", resolve));
  const to = sandbox.mail.address("transient");
  // Enough attempts (about 5 s of backoff) for the sandbox to notice the slot is free on a busy machine.
  const { queue, lines, events, next, close } = queueFor(
    { SMTP_PORT: String(sandbox.smtpPort), SMTP_USER: "app", SMTP_PASSWORD: "secret" },
    { maxAttempts: 9 },
  );
  const firstRetry = next("retry");
  queue.enqueue("receipt", mailTo(to));
  await firstRetry;
  blocker.end();
  await queue.idle();
  close();

  expect(events.map((e) => e.type)).toEqual([
    ...events.filter((e) => e.type === "retry").map(() => "retry"),
    "sent",
  ]);
  const retry = events[0] as Extract<QueueEvent, { type: "retry" }>;
  expect(retry.error).toMatchObject({ responseCode: 421 });
  expect(queue.stats()).toMatchObject({ sent: 1, deadLettered: 0, queued: 0, inFlight: 0 });
  expect(queue.deadLetters()).toEqual([]);
  expect(await sandbox.mail.messages(`to:${to}`)).toHaveLength(1);
  expect(lines.find((l) => l.msg === "mail send failed; will retry")).toMatchObject({
    level: 40,
    kind: "receipt",
    to,
    attempt: 1,
    retryInMs: 20,
    err: expect.objectContaining({ responseCode: 421 }),
  });
  expect(lines.find((l) => l.msg === "mail sent")).toMatchObject({
    level: 30,
    kind: "receipt",
    to,
    messageId: expect.stringMatching(/^<.+>$/),
  });
});

test("a permanent 535 is dead-lettered after one attempt", async () => {
  const to = sandbox.mail.address("permanent");
  const { queue, lines, close } = queueFor({
    SMTP_PORT: String(sandbox.smtpPort),
    SMTP_USER: "app",
    SMTP_PASSWORD: "wrong",
  });
  const jobId = queue.enqueue("receipt", mailTo(to));
  await queue.idle();
  close();

  expect(queue.deadLetters()).toEqual([
    expect.objectContaining({
      job: expect.objectContaining({ id: jobId, attempts: 1, kind: "receipt" }),
      responseCode: 535,
      permanent: true,
    }),
  ]);
  expect(queue.stats()).toMatchObject({ sent: 0, retries: 0, deadLettered: 1 });
  expect(lines.find((l) => l.level === 50)).toMatchObject({
    msg: "mail failed permanently; dead-lettered",
    jobId,
    err: expect.objectContaining({ responseCode: 535 }),
  });
  expect(await sandbox.mail.messages(`to:${to}`)).toEqual([]);
});

test("an unreachable server is retried with exponential backoff, then dead-lettered", async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));

  const { queue, events, close } = queueFor({ SMTP_PORT: String(port) });
  queue.enqueue("receipt", mailTo("someone@saas.example"));
  await queue.idle();
  close();

  expect(
    events.filter((e) => e.type === "retry").map((e) => (e as { delayMs: number }).delayMs),
  ).toEqual([20, 40, 80]);
  const [dead] = queue.deadLetters();
  expect(dead).toMatchObject({ permanent: false, responseCode: null, job: { attempts: 4 } });
  expect(dead.error).toMatch(/ECONNREFUSED|connect/i);
});

test("stop() leaves queued jobs unsent and says so in the log", async () => {
  const { queue, lines, close } = queueFor({ SMTP_PORT: String(sandbox.smtpPort) });
  const { queue: idleQueue } = queueFor({ SMTP_PORT: String(sandbox.smtpPort) });
  await idleQueue.stop();
  expect(() => idleQueue.enqueue("receipt", mailTo("x@saas.example"))).toThrow(/stopped/);
  queue.enqueue("receipt", mailTo("y@saas.example"));
  await queue.stop();
  close();
  expect(lines.find((l) => l.msg === "mail queue stopped with unsent jobs")).toMatchObject({
    level: 40,
    jobs: [expect.objectContaining({ to: "y@saas.example", attempts: 0 })],
  });
});

test("a sender that throws synchronously fails that attempt instead of crashing the worker", async () => {
  const { logger, lines } = capturedLogger();
  const queue = createMailQueue(
    {
      send: () => {
        throw new Error("template rendering failed");
      },
      logger,
    },
    { baseDelayMs: 1, maxAttempts: 2, jitter: 0 },
  );
  queue.enqueue("receipt", mailTo("z@saas.example"));
  await queue.idle();
  expect(queue.deadLetters()).toEqual([
    expect.objectContaining({
      error: "template rendering failed",
      permanent: false,
      job: expect.objectContaining({ attempts: 2 }),
    }),
  ]);
  expect(lines.map((l) => l.msg)).toEqual([
    "mail queued",
    "mail send failed; will retry",
    "mail failed on its last attempt; dead-lettered",
  ]);
});

describe("retry policy", () => {
  test("delays grow by the factor, are capped, and jitter only shortens them", () => {
    const policy = {
      ...defaultRetryPolicy,
      baseDelayMs: 100,
      factor: 3,
      maxDelayMs: 1000,
      jitter: 0.5,
    };
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n, () => 0))).toEqual([
      100, 300, 900, 1000,
    ]);
    expect(backoffDelay(policy, 2, () => 1)).toBe(150);
  });

  test("SMTP 5xx and HTTP 4xx (but 429) are permanent; 4xx replies and network errors are not", () => {
    expect(isPermanentFailure({ responseCode: 550 })).toBe(true);
    expect(isPermanentFailure({ responseCode: 421 })).toBe(false);
    expect(isPermanentFailure({ statusCode: 422 })).toBe(true);
    expect(isPermanentFailure({ statusCode: 429 })).toBe(false);
    expect(isPermanentFailure({ statusCode: 503 })).toBe(false);
    expect(
      isPermanentFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNECTION" })),
    ).toBe(false);
  });
});
