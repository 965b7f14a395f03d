import net from "node:net";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import type { SessionTranscript } from "../../src/core/transcripts.js";
import { api, inProcess, startTestSandbox, type InProcess } from "../helpers/sandbox.js";

/** SMTP session transcripts over real sockets: what was said, redacted, linked to the captured message. */
let sandbox: Sandbox;
/** REST reads and settings need no socket: in process (waits for SMTP mail stay on it). */
let app: InProcess;
let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}@transcripts.test`;

beforeAll(async () => {
  sandbox = await startTestSandbox({ smtpsPort: 0 });
  app = inProcess(sandbox);
});
afterAll(() => sandbox?.stop());

function transport(options: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    tls: { rejectUnauthorized: false },
    ...options,
  });
}

/** The session that carried `messageId`, once it has closed. */
async function sessionOf(messageId: string): Promise<SessionTranscript> {
  for (let poll = 0; poll < 200; poll++) {
    const { status, body } = await api(app, `/api/sessions?messageId=${messageId}`);
    expect(status).toBe(200);
    if (body.sessions.length === 1 && body.sessions[0].endedAt !== null) {
      const full = await api<SessionTranscript>(app, `/api/sessions/${body.sessions[0].id}`);
      expect(full.status).toBe(200);
      return full.body;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no closed session for ${messageId}`);
}

async function messageIdOf(to: string): Promise<string> {
  const { body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&timeout=10000`,
  );
  return body.id;
}

const said = (session: SessionTranscript) =>
  session.lines.map(
    (l) => `${l.from === "client" ? "C" : l.from === "server" ? "S" : "*"}: ${l.text}`,
  );

describe("transcripts", () => {
  test("a plain session: every command and reply in order, the client, and the captured message", async () => {
    const to = unique("plain");
    await transport({ ignoreTLS: true }).sendMail({
      from: "app@example.test",
      to,
      subject: "hello",
      text: "hi",
    });
    const id = await messageIdOf(to);
    const session = await sessionOf(id);

    expect(session).toMatchObject({
      listener: "smtp",
      client: { address: "127.0.0.1", port: expect.any(Number) },
      secure: false,
      tls: null,
      helo: "[127.0.0.1]",
      authUser: null,
      messageIds: [id],
      faults: [],
    });
    expect(Date.parse(session.endedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(session.startedAt));
    const lines = said(session);
    const order = [
      "S: 220 mailproof ESMTP sandbox",
      "C: EHLO [127.0.0.1]",
      "C: MAIL FROM:<app@example.test>",
      "S: 250 2.1.0 Accepted",
      `C: RCPT TO:<${to}>`,
      "S: 250 2.1.5 Accepted",
      "C: DATA",
      "S: 354 End data with <CR><LF>.<CR><LF>",
      `S: 250 2.6.0 Ok: queued as ${id}`,
      `*: message captured as ${id}`,
      "*: connection closed",
    ];
    const positions = order.map((line) => lines.indexOf(line));
    expect(
      positions.every((p) => p >= 0),
      JSON.stringify(lines),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(lines).toContainEqual(expect.stringMatching(/^C: <\d+ bytes of message data>$/));
    // The message body itself is not in the transcript.
    expect(JSON.stringify(session)).not.toContain("Subject: hello");
  });

  test("STARTTLS and AUTH LOGIN: TLS noted, credentials redacted", async () => {
    const to = unique("tls");
    await transport({ auth: { user: "robot", pass: "s3cret-pass" }, authMethod: "LOGIN" }).sendMail(
      { from: "app@example.test", to, subject: "x", text: "x" },
    );
    const session = await sessionOf(await messageIdOf(to));

    expect(session).toMatchObject({
      secure: true,
      tls: { protocol: expect.stringMatching(/^TLSv1\.[23]$/), cipher: expect.any(String) },
      authUser: "robot",
    });
    const lines = said(session);
    expect(lines.indexOf("C: STARTTLS")).toBeLessThan(
      lines.findIndex((l) => l.startsWith("*: TLS established: TLSv1.")),
    );
    expect(lines).toContain("C: AUTH LOGIN");
    expect(lines.filter((l) => l === "C: /* secured */")).toHaveLength(2);
    const wire = JSON.stringify(session);
    for (const secret of [
      "s3cret-pass",
      Buffer.from("s3cret-pass").toString("base64"),
      Buffer.from("robot").toString("base64"),
    ])
      expect(wire).not.toContain(secret);
  });

  test("implicit TLS on the smtps listener", async () => {
    const to = unique("smtps");
    await transport({ port: sandbox.smtpsPort, secure: true }).sendMail({
      from: "app@example.test",
      to,
      subject: "x",
      text: "x",
    });
    const session = await sessionOf(await messageIdOf(to));
    expect(session).toMatchObject({
      listener: "smtps",
      secure: true,
      tls: { protocol: expect.stringMatching(/^TLSv1/) },
    });
  });

  test("several messages in one session are all linked to it", async () => {
    const pooled = transport({ pool: true, maxConnections: 1, ignoreTLS: true });
    const [a, b] = [unique("pool-a"), unique("pool-b")];
    await pooled.sendMail({ from: "app@example.test", to: a, subject: "a", text: "a" });
    await pooled.sendMail({ from: "app@example.test", to: b, subject: "b", text: "b" });
    const ids = [await messageIdOf(a), await messageIdOf(b)];
    // Still open: the list shows it, without an end.
    const open = (await api(app, `/api/sessions?messageId=${ids[1]}`)).body.sessions;
    expect(open).toEqual([
      expect.objectContaining({
        messageIds: ids,
        endedAt: null,
        lines: expect.arrayContaining([
          expect.objectContaining({ from: "client", text: `RCPT TO:<${b}>` }),
        ]),
      }),
    ]);
    // Without the filter, the list holds summaries.
    const listed = (await api(app, "/api/sessions")).body.sessions.find(
      (s: { id: string }) => s.id === open[0].id,
    );
    expect(listed).toMatchObject({ endedAt: null, lineCount: open[0].lines.length });
    expect(listed.lines).toBeUndefined();
    pooled.close();
    const session = await sessionOf(ids[0]);
    expect(session.messageIds).toEqual(ids);
    expect((await sessionOf(ids[1])).id).toBe(session.id);
  });

  test("a session without a message: a raw client that only says EHLO and QUIT", async () => {
    const socket = net.connect(sandbox.smtpPort, "127.0.0.1");
    const replies: string[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on("error", reject);
      socket.on("data", (chunk) => {
        replies.push(chunk.toString());
        const all = replies.join("");
        if (all.startsWith("220") && !all.includes("EHLO-SENT")) {
          replies.push("EHLO-SENT");
          socket.write("EHLO raw.client.test\r\n");
        } else if (/\r\n250 [^\r]*\r\n$/.test(all) && !all.includes("QUIT-SENT")) {
          replies.push("QUIT-SENT");
          socket.write("QUIT\r\n");
        }
      });
      socket.on("close", () => resolve());
    });
    let mine: SessionTranscript | undefined;
    for (let poll = 0; poll < 200 && !mine; poll++) {
      const { body } = await api(app, "/api/sessions?limit=20");
      mine = (body.sessions as SessionTranscript[]).find((s) => s.helo === "raw.client.test");
      if (!mine) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(mine).toMatchObject({ endedAt: expect.any(String), messageIds: [] });
    const full = (await api<SessionTranscript>(app, `/api/sessions/${mine?.id}`)).body;
    expect(said(full)).toEqual(
      expect.arrayContaining(["C: EHLO raw.client.test", "C: QUIT", "S: 221 2.0.0 Bye"]),
    );
    expect(full.messageIds).toEqual([]);
  });

  test("paging with limit and before, newest first", async () => {
    for (let i = 0; i < 3; i++)
      await transport({ ignoreTLS: true }).sendMail({
        from: "app@example.test",
        to: unique("page"),
        subject: "p",
        text: "p",
      });
    await sessionOf(await messageIdOf(`page-${process.pid}-${counter}@transcripts.test`));
    const first = (await api(app, "/api/sessions?limit=2")).body;
    expect(first.next).toEqual(expect.any(String));
    const second = (await api(app, `/api/sessions?limit=2&before=${first.next}`)).body;
    expect(second.sessions).toHaveLength(2);
    const ids = [...first.sessions, ...second.sessions].map((s: { id: string }) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  test("bad parameters are 400, unknown sessions 404", async () => {
    expect((await api(app, "/api/sessions?messageId=nope")).status).toBe(400);
    expect((await api(app, "/api/sessions?before=nope")).status).toBe(400);
    expect((await api(app, "/api/sessions?limit=0")).status).toBe(400);
    const missing = await api(app, "/api/sessions/01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("NOT_FOUND");
    expect((await api(app, "/api/sessions/not-an-id")).status).toBe(404);
  });
});

describe("retention", () => {
  test("transcripts are pruned like messages (--max-messages)", async () => {
    const small = await startTestSandbox({ maxMessages: 2 });
    try {
      const sent: string[] = [];
      for (let i = 0; i < 4; i++) {
        const to = unique("retention");
        sent.push(to);
        await nodemailer
          .createTransport({ host: "127.0.0.1", port: small.smtpPort, ignoreTLS: true })
          .sendMail({ from: "a@example.test", to, subject: "r", text: "r" });
      }
      let sessions: Array<{ endedAt: string | null }> = [];
      for (let poll = 0; poll < 200; poll++) {
        sessions = (await api(small, "/api/sessions")).body.sessions;
        if (sessions.length <= 2 && sessions.every((s) => s.endedAt !== null)) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(sessions).toHaveLength(2);
    } finally {
      await small.stop();
    }
  });
});
