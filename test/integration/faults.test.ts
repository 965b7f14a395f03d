import { Writable } from "node:stream";
import nodemailer from "nodemailer";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import type { SessionTranscript } from "../../src/core/transcripts.js";
import { api, inProcess, startTestSandbox, type InProcess } from "../helpers/sandbox.js";
import type { SendMailOptions } from "nodemailer";

/**
 * SMTP faults against real nodemailer clients over loopback: each rule is installed with
 * PUT /api/faults, the client's view (error code, retries) and the sandbox's (stored or not,
 * log line, session transcript) are both checked. The REST calls (rules, stored messages,
 * transcripts) need no socket: they go to the app in process.
 */
let sandbox: Sandbox;
let app: InProcess;
let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}@faults.test`;
const logLines: Array<Record<string, any>> = [];

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  sandbox = await startTestSandbox({ logger: pino({ level: "info" }, stream) });
  app = inProcess(sandbox);
});
afterAll(() => sandbox?.stop());
beforeEach(() => putFaults([]));

async function putFaults(rules: unknown[]) {
  const { status, body } = await api(app, "/api/faults", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rules }),
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

function transport(options: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    tls: { rejectUnauthorized: false },
    ...options,
  });
}

async function messagesTo(to: string): Promise<unknown[]> {
  const { body } = await api(app, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`);
  return body.messages;
}

/** Sends, retrying transient failures (4xx replies, dropped connections) up to `attempts` times. */
async function sendWithRetries(
  mail: SendMailOptions,
  attempts: number,
  options: Record<string, unknown> = {},
) {
  const errors: Array<Error & { responseCode?: number; code?: string }> = [];
  for (let i = 0; i < attempts; i++) {
    try {
      return { info: await transport(options).sendMail(mail), errors };
    } catch (err) {
      const e = err as Error & { responseCode?: number };
      errors.push(e);
      if (e.responseCode !== undefined && e.responseCode >= 500) break;
    }
  }
  return { info: null, errors };
}

/** The finished transcripts of the sessions whose MAIL FROM used `from` (polls until they are closed and saved). */
async function sessionsFrom(from: string, count: number): Promise<SessionTranscript[]> {
  for (let poll = 0; poll < 200; poll++) {
    const { body } = await api(app, "/api/sessions?limit=200");
    const ids: string[] = body.sessions.map((s: { id: string }) => s.id);
    const full = await Promise.all(
      ids.map(async (id) => (await api<SessionTranscript>(app, `/api/sessions/${id}`)).body),
    );
    const mine = full.filter((s) =>
      s.lines.some((l) => l.from === "client" && l.text.toLowerCase().includes(from.toLowerCase())),
    );
    if (mine.length >= count && mine.every((s) => s.endedAt !== null)) return mine.reverse();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${count} closed sessions from ${from}`);
}

const texts = (session: SessionTranscript, from: "client" | "server" | "mailproof") =>
  session.lines.filter((l) => l.from === from).map((l) => l.text);

describe("PUT /api/faults", () => {
  test("returns the rules with defaults filled in, and GET reads them back", async () => {
    const body = await putFaults([
      { stage: "rcpt", match: { to: "*@blocked.test" }, reply: { code: 550 } },
      { rateLimit: { messages: 3 } },
    ]);
    expect(body.rules).toEqual([
      {
        stage: "rcpt",
        match: { to: "*@blocked.test" },
        reply: { code: 550, message: "5.1.1 Mailbox unavailable" },
      },
      { stage: "mail", rateLimit: { messages: 3 } },
    ]);
    expect((await api(app, "/api/faults")).body).toEqual(body);
  });

  test.each([
    [{ rules: [{ stage: "rcpt", reply: { code: 250 } }] }, "rules[0].reply.code"],
    [{ rules: [{ stage: "helo", reply: { code: 550 } }] }, "rules[0].stage"],
    [{ rules: [{ stage: "mail", match: { to: "*" }, reply: { code: 550 } }] }, "rules[0].match.to"],
    [{ rules: [{ stage: "rcpt", reply: { code: 550 }, tims: 1 }] }, "rules[0].tims"],
    [
      {
        rules: [
          { stage: "data", delayMs: 100 },
          { stage: "data", probability: 2, reply: { code: 451 } },
        ],
      },
      "rules[1].probability",
    ],
    [
      { rules: [{ stage: "data", reply: { code: 451, message: "two\r\nlines" } }] },
      "rules[0].reply.message",
    ],
    [{ rules: [{ stage: "rcpt" }] }, "rules[0] does nothing"],
    [{ rules: [{ stage: "rcpt", reply: { code: 550 }, disconnect: true }] }, "rules[0].disconnect"],
    [{ rules: "nope" }, "rules must be an array"],
    [{}, "rules is required"],
  ])("%j is a 400 naming the field", async (body, field) => {
    await putFaults([{ stage: "rcpt", match: { to: "kept@faults.test" }, reply: { code: 550 } }]);
    const response = await api(app, "/api/faults", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("BAD_REQUEST");
    expect(response.body.error.message).toContain(field);
    // The rules in force are unchanged.
    expect((await api(app, "/api/faults")).body.rules).toHaveLength(1);
  });

  test("a body that is not JSON is a 400", async () => {
    const response = await api(app, "/api/faults", {
      method: "PUT",
      body: "stage=rcpt",
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_JSON");
  });
});

describe("SMTP faults with nodemailer", () => {
  test("a transient 421 (times: 1) is retried and the message is delivered exactly once", async () => {
    const from = unique("transient");
    const to = unique("transient-to");
    await putFaults([
      {
        stage: "mail",
        match: { from },
        reply: { code: 421, message: "4.7.0 Try again later" },
        times: 1,
      },
    ]);
    const { info, errors } = await sendWithRetries(
      { from, to, subject: "retry me", text: "hello" },
      3,
    );

    expect(errors.map((e) => e.responseCode)).toEqual([421]);
    expect(errors[0].message).toContain("421 4.7.0 Try again later");
    expect(info?.accepted).toEqual([to]);
    expect(await messagesTo(to)).toHaveLength(1);

    const [failed, delivered] = await sessionsFrom(from, 2);
    expect(failed.faults).toEqual([
      expect.objectContaining({
        stage: "mail",
        rule: 0,
        reply: { code: 421, message: "4.7.0 Try again later" },
        disconnect: false,
      }),
    ]);
    expect(texts(failed, "server")).toContain("421 4.7.0 Try again later");
    expect(failed.messageIds).toEqual([]);
    expect(delivered.faults).toEqual([]);
    expect(delivered.messageIds).toHaveLength(1);
    expect(texts(delivered, "server")).toContain(
      `250 2.6.0 Ok: queued as ${delivered.messageIds[0]}`,
    );
  });

  test("a permanent 550 at RCPT reaches the client, nothing is stored and the rejection is logged", async () => {
    const from = unique("permanent");
    const to = unique("nobody");
    await putFaults([
      {
        stage: "rcpt",
        match: { to: "nobody-*@faults.test" },
        reply: { code: 550, message: "5.1.1 No such user here" },
      },
    ]);
    const { info, errors } = await sendWithRetries({ from, to, subject: "bounce", text: "x" }, 3);

    expect(info).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ responseCode: 550, code: "EENVELOPE" });
    expect(errors[0].message).toContain("550 5.1.1 No such user here");
    expect(await messagesTo(to)).toEqual([]);
    expect(
      logLines.find((l) => l.msg === "smtp fault rule fired" && l.to?.[0] === to),
    ).toMatchObject({ stage: "rcpt", rule: 0, code: 550, from });

    const [session] = await sessionsFrom(from, 1);
    // The log line names the transcript, so the log leads to the full session.
    expect(
      logLines.find((l) => l.msg === "smtp fault rule fired" && l.to?.[0] === to)?.transcript,
    ).toBe(session.id);
    expect(texts(session, "client")).toContain(`RCPT TO:<${to}>`);
    expect(texts(session, "server")).toContain("550 5.1.1 No such user here");
    expect(session.messageIds).toEqual([]);
  });

  test("a 554 after DATA rejects the message: not stored, logged", async () => {
    const from = unique("data-554");
    const to = unique("data-554-to");
    await putFaults([
      {
        stage: "data",
        match: { from },
        reply: { code: 554, message: "5.7.1 Message rejected as spam" },
      },
    ]);
    const { errors } = await sendWithRetries({ from, to, subject: "spammy", text: "x" }, 1);

    expect(errors[0]).toMatchObject({ responseCode: 554, code: "EMESSAGE" });
    expect(await messagesTo(to)).toEqual([]);
    expect(
      logLines.find(
        (l) => l.msg === "message rejected by a fault rule; not stored" && l.from === from,
      ),
    ).toMatchObject({ stage: "data", code: 554, to: [to] });
    const [session] = await sessionsFrom(from, 1);
    expect(texts(session, "client")).toContain("DATA");
    expect(texts(session, "client").some((t) => /^<\d+ bytes of message data>$/.test(t))).toBe(
      true,
    );
    expect(texts(session, "server")).toContain("554 5.7.1 Message rejected as spam");
  });

  test("a slow DATA reply trips the client's socket timeout; the message is not stored", async () => {
    const from = unique("slow");
    const to = unique("slow-to");
    await putFaults([{ stage: "data", match: { from }, delayMs: 20_000 }]);
    const { errors } = await sendWithRetries({ from, to, subject: "slow", text: "x" }, 1, {
      socketTimeout: 1000,
    });

    expect(errors[0]).toMatchObject({ code: "ETIMEDOUT" });
    expect(await messagesTo(to)).toEqual([]);
    // The delay ended when the client hung up, not after 20 s: the session is already closed.
    const [session] = await sessionsFrom(from, 1);
    expect(session.faults).toEqual([
      expect.objectContaining({ stage: "data", delayMs: 20_000, reply: null, disconnect: false }),
    ]);
    expect(texts(session, "server").some((t) => t.includes("Ok: queued"))).toBe(false);
    expect(
      logLines.find((l) => l.msg === "client left before the delayed reply; message not stored"),
    ).toBeDefined();
  });

  test("a delay alone slows the reply, then the command succeeds and the message is stored", async () => {
    const from = unique("patient");
    const to = unique("patient-to");
    await putFaults([
      { stage: "rcpt", match: { to }, delayMs: 200 },
      { stage: "data", match: { to }, delayMs: 200 },
    ]);
    const { info } = await sendWithRetries({ from, to, subject: "patient", text: "x" }, 1);
    expect(info?.accepted).toEqual([to]);
    expect(await messagesTo(to)).toHaveLength(1);
    const [session] = await sessionsFrom(from, 1);
    expect(session.faults.map((f) => [f.stage, f.delayMs, f.reply])).toEqual([
      ["rcpt", 200, null],
      ["data", 200, null],
    ]);
    // The reply came after the delay.
    const rcpt = session.lines.findIndex((l) => l.text === `RCPT TO:<${to}>`);
    const accepted = session.lines.findIndex((l, i) => i > rcpt && l.text.startsWith("250 "));
    // (A lower bound only, less a millisecond of timestamp rounding: a busy machine is only ever slower.)
    expect(
      Date.parse(session.lines[accepted].at) - Date.parse(session.lines[rcpt].at),
    ).toBeGreaterThanOrEqual(199);
    expect(session.messageIds).toHaveLength(1);
  });

  test("a slow greeting trips the client's greeting timeout", async () => {
    await putFaults([{ stage: "connect", delayMs: 20_000, times: 1 }]);
    const from = unique("slow-greeting");
    const { errors, info } = await sendWithRetries(
      { from, to: unique("slow-greeting-to"), subject: "x", text: "x" },
      2,
      { greetingTimeout: 1000 },
    );
    expect(errors).toEqual([expect.objectContaining({ code: "ETIMEDOUT" })]);
    expect(info?.accepted).toHaveLength(1);
  });

  test("disconnect mid-DATA drops the connection; the retry is delivered once", async () => {
    const from = unique("drop");
    const to = unique("drop-to");
    await putFaults([{ stage: "data", match: { from }, disconnect: true, times: 1 }]);
    const { info, errors } = await sendWithRetries(
      { from, to, subject: "dropped", text: "x".repeat(100_000) },
      3,
    );

    expect(errors).toHaveLength(1);
    expect(errors[0].responseCode).toBeUndefined();
    expect(errors[0].code).toMatch(/^(ECONNECTION|ESOCKET|EPIPE|ECONNRESET)$/);
    expect(info?.accepted).toEqual([to]);
    expect(await messagesTo(to)).toHaveLength(1);
    const [dropped] = await sessionsFrom(from, 2);
    expect(dropped.faults).toEqual([expect.objectContaining({ stage: "data", disconnect: true })]);
    expect(texts(dropped, "server")).toContain("354 End data with <CR><LF>.<CR><LF>");
    expect(texts(dropped, "server").at(-1)).toBe("354 End data with <CR><LF>.<CR><LF>");
  });

  test("disconnect at RCPT drops the connection mid-command", async () => {
    const from = unique("drop-rcpt");
    await putFaults([{ stage: "rcpt", match: { from }, disconnect: true }]);
    const { errors } = await sendWithRetries(
      { from, to: unique("drop-rcpt-to"), subject: "x", text: "x" },
      1,
    );
    expect(errors[0].code).toMatch(/^(ECONNECTION|ESOCKET|ECONNRESET)$/);
    const [session] = await sessionsFrom(from, 1);
    expect(texts(session, "client").at(-1)).toMatch(/^RCPT TO:/);
    expect(texts(session, "server").at(-1)).toMatch(/^250 /);
  });

  test("AUTH 535 for a matched user; the credentials never reach the transcript", async () => {
    await putFaults([{ stage: "auth", match: { user: "locked-*" }, reply: { code: 535 } }]);
    const user = `locked-${process.pid}-${++counter}`;
    const { errors } = await sendWithRetries(
      { from: unique("auth"), to: unique("auth-to"), subject: "x", text: "x" },
      1,
      { auth: { user, pass: "hunter2-secret" }, ignoreTLS: true },
    );
    expect(errors[0]).toMatchObject({ responseCode: 535, code: "EAUTH" });

    // Another user is not matched.
    const other = await sendWithRetries(
      { from: unique("auth-ok"), to: unique("auth-ok-to"), subject: "x", text: "x" },
      1,
      { auth: { user: "fine", pass: "x" }, ignoreTLS: true },
    );
    expect(other.info?.accepted).toHaveLength(1);

    const sessions = (await api(app, "/api/sessions?limit=50")).body.sessions as Array<{
      id: string;
      faults: Array<{ stage: string }>;
    }>;
    const refused = sessions.find((s) => s.faults.some((f) => f.stage === "auth"));
    const full = (await api<SessionTranscript>(app, `/api/sessions/${refused?.id}`)).body;
    expect(texts(full, "server")).toContain("535 5.7.8 Authentication credentials invalid");
    const wire = JSON.stringify(full);
    expect(wire).not.toContain("hunter2-secret");
    expect(wire).not.toContain(Buffer.from(`\0${user}\0hunter2-secret`).toString("base64"));
    expect(texts(full, "client")).toContain("AUTH PLAIN /* secured */");
  });

  test("the rate limit answers 421 4.7.0 after N messages per minute from one client", async () => {
    const from = unique("rate");
    await putFaults([{ rateLimit: { messages: 2 }, match: { from: "rate-*" } }]);
    const results = [];
    for (let i = 0; i < 3; i++)
      results.push(
        await sendWithRetries({ from, to: unique("rate-to"), subject: `n${i}`, text: "x" }, 1),
      );

    expect(results.map((r) => r.info?.accepted.length ?? r.errors[0].responseCode)).toEqual([
      1, 1, 421,
    ]);
    expect(results[2].errors[0].message).toContain("421 4.7.0 Too many messages from this client");
    // Other senders are not limited by this rule.
    expect(
      (
        await sendWithRetries(
          { from: unique("unlimited"), to: unique("unlimited-to"), subject: "x", text: "x" },
          1,
        )
      ).info?.accepted,
    ).toHaveLength(1);
  });

  test("a connect-stage 421 refuses the greeting", async () => {
    await putFaults([
      {
        stage: "connect",
        reply: { code: 421, message: "4.3.2 System not accepting network messages" },
        times: 1,
      },
    ]);
    const { errors, info } = await sendWithRetries(
      { from: unique("greeting"), to: unique("greeting-to"), subject: "x", text: "x" },
      2,
    );
    expect(errors.map((e) => e.responseCode)).toEqual([421]);
    expect(errors[0].message).toContain("421 4.3.2 System not accepting network messages");
    expect(info?.accepted).toHaveLength(1);
  });

  test("probability with a seed rejects the same recipients on every run", async () => {
    const recipients = Array.from({ length: 12 }, (_, i) => `dice-${i}-${process.pid}@faults.test`);
    const rule = {
      stage: "rcpt",
      match: { to: "dice-*" },
      reply: { code: 450 },
      probability: 0.5,
      seed: 42,
    };
    const run = async () => {
      await putFaults([rule]);
      const { info } = await sendWithRetries(
        { from: unique("dice"), to: recipients, subject: "dice", text: "x" },
        1,
      );
      return info?.rejected;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first?.length).toBeGreaterThan(0);
    expect(first?.length).toBeLessThan(recipients.length);
    // Another seed gives another, equally repeatable, draw.
    await putFaults([{ ...rule, seed: 7 }]);
    const other = (
      await sendWithRetries({ from: unique("dice"), to: recipients, subject: "dice", text: "x" }, 1)
    ).info?.rejected;
    expect(other).not.toEqual(first);
  });

  test("Mailpit's chaos triggers install fault rules beside the others", async () => {
    await putFaults([{ stage: "rcpt", match: { to: "kept@faults.test" }, reply: { code: 550 } }]);
    const put = await api(app, "/api/v1/chaos", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Sender: { ErrorCode: 451, Probability: 100 } }),
    });
    expect(put.status).toBe(200);
    expect((await api(app, "/api/faults")).body.rules).toEqual([
      {
        stage: "rcpt",
        match: { to: "kept@faults.test" },
        reply: { code: 550, message: "5.1.1 Mailbox unavailable" },
      },
      {
        stage: "mail",
        reply: { code: 451, message: "Chaos error (Mailpit chaos trigger)" },
        probability: 1,
      },
    ]);
    const { errors } = await sendWithRetries(
      { from: unique("chaos"), to: unique("chaos-to"), subject: "x", text: "x" },
      1,
    );
    expect(errors[0]).toMatchObject({ responseCode: 451 });
    await api(app, "/api/v1/chaos", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Sender: { ErrorCode: 451, Probability: 0 } }),
    });
    expect((await api(app, "/api/faults")).body.rules).toHaveLength(1);
  });
});
