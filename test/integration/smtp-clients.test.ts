import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

const run = promisify(execFile);
let sandbox: Sandbox;
let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}@example.test`;

/** Waits for the message sent to `to` through the REST long-poll, from before the send. */
async function waitFor(to: string, after: string) {
  const { status, body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(after)}&timeout=10000`,
  );
  expect(status).toBe(200);
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

beforeAll(async () => {
  sandbox = await startTestSandbox({ smtpsPort: 0, maxSize: 200_000 });
});
afterAll(() => sandbox.stop());

describe("nodemailer", () => {
  test("plain SMTP, STARTTLS upgrade and AUTH recorded in the envelope", async () => {
    const to = unique("starttls");
    const after = new Date().toISOString();
    await transport({ auth: { user: "app", pass: "secret" } }).sendMail({
      from: "App <app@example.test>",
      to,
      subject: "over starttls",
      text: "hello",
    });
    const message = await waitFor(to, after);
    expect(message.envelope).toMatchObject({
      mailFrom: "app@example.test",
      rcptTo: [to],
      secure: true,
      authUser: "app",
      remoteAddress: "127.0.0.1",
    });
    expect(message.from).toEqual({ name: "App", address: "app@example.test" });
    expect(message.source).toEqual({ kind: "smtp", providerMessageId: null });
  });

  test("without STARTTLS the session stays plain", async () => {
    const to = unique("plain");
    const after = new Date().toISOString();
    await transport({ ignoreTLS: true }).sendMail({
      from: "a@example.test",
      to,
      subject: "plain",
      text: "x",
    });
    expect((await waitFor(to, after)).envelope.secure).toBe(false);
  });

  test("implicit TLS on the smtps port", async () => {
    const to = unique("smtps");
    const after = new Date().toISOString();
    await transport({ port: sandbox.smtpsPort!, secure: true }).sendMail({
      from: "a@example.test",
      to,
      subject: "smtps",
      text: "x",
    });
    expect((await waitFor(to, after)).envelope.secure).toBe(true);
  });

  test.each(["PLAIN", "LOGIN", "CRAM-MD5"])("AUTH %s with any credentials", async (method) => {
    const to = unique(`auth-${method}`);
    const after = new Date().toISOString();
    await transport({
      auth: { user: `user-${method}`, pass: "whatever" },
      authMethod: method,
    }).sendMail({ from: "a@example.test", to, subject: method, text: "x" });
    expect((await waitFor(to, after)).envelope.authUser).toBe(`user-${method}`);
  });

  test("UTF-8 subject, SMTPUTF8 addresses, attachments and Bcc", async () => {
    const to = `ünïcødé-${process.pid}@例え.テスト`;
    const bcc = unique("hidden");
    const after = new Date().toISOString();
    const pdf = Buffer.from("%PDF-1.4\n% fake but binary \x00\x01\x02\n%%EOF\n", "latin1");
    await transport().sendMail({
      from: "Zoë <zoe@example.test>",
      to,
      bcc,
      subject: "Grüße 🎉 — invoice",
      text: "see attached",
      html: '<p>see <img src="cid:logo@x"></p>',
      attachments: [
        { filename: "invoice.pdf", content: pdf, contentType: "application/pdf" },
        { filename: "logo.png", content: Buffer.from("89504e470d0a1a0a", "hex"), cid: "logo@x" },
      ],
    });
    const message = await waitFor(to, after);
    expect(message.subject).toBe("Grüße 🎉 — invoice");
    expect(message.to[0].address).toBe(to);
    expect(message.bcc.map((a: { address: string }) => a.address)).toEqual([bcc]);
    expect(message.attachments).toHaveLength(2);
    const invoice = message.attachments.find(
      (a: { filename: string }) => a.filename === "invoice.pdf",
    );
    expect(invoice).toMatchObject({
      contentType: "application/pdf",
      size: pdf.length,
      inline: false,
    });
    const logo = message.attachments.find((a: { filename: string }) => a.filename === "logo.png");
    expect(logo).toMatchObject({ contentId: "logo@x", inline: true });
    const bytes = await fetch(
      `${sandbox.url}/api/messages/${message.id}/attachments/${invoice.id}`,
    );
    expect(bytes.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await bytes.arrayBuffer()).equals(pdf)).toBe(true);
    const bccSearch = await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:${bcc}`)}`);
    expect(bccSearch.body.messages.map((m: { id: string }) => m.id)).toEqual([message.id]);
  });
});

describe("other real clients", () => {
  test("Python smtplib: SMTP(), starttls(), login(), send_message()", async () => {
    const to = unique("smtplib");
    const after = new Date().toISOString();
    const script = `
import smtplib, sys
from email.message import EmailMessage
msg = EmailMessage()
msg["From"] = "py@example.test"
msg["To"] = sys.argv[2]
msg["Subject"] = "from smtplib"
msg.set_content("hello from python")
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.starttls()
s.login("pyuser", "pypass")
s.send_message(msg)
s.quit()
`;
    await run("python3", ["-c", script, String(sandbox.smtpPort), to]);
    const message = await waitFor(to, after);
    expect(message).toMatchObject({ subject: "from smtplib", text: "hello from python\n" });
    expect(message.envelope).toMatchObject({ secure: true, authUser: "pyuser" });
  });

  test("swaks with STARTTLS and AUTH LOGIN", async () => {
    const to = unique("swaks");
    const after = new Date().toISOString();
    const { stdout } = await run("swaks", [
      "--server",
      `127.0.0.1:${sandbox.smtpPort}`,
      "--to",
      to,
      "--from",
      "swaks@example.test",
      "--tls",
      "--auth",
      "LOGIN",
      "--auth-user",
      "sw",
      "--auth-password",
      "pw",
      "--header",
      "Subject: from swaks",
    ]);
    expect(stdout).toMatch(/250 2\.6\.0 Ok: queued as [0-9A-Z]{26}/);
    const message = await waitFor(to, after);
    expect(message.subject).toBe("from swaks");
    expect(message.envelope.authUser).toBe("sw");
  });

  test("curl smtp:// uploading a file", async () => {
    const to = unique("curl");
    const after = new Date().toISOString();
    const dir = mkdtempSync(join(tmpdir(), "mailproof-curl-"));
    const file = join(dir, "mail.eml");
    writeFileSync(
      file,
      `From: curl@example.test\r\nTo: ${to}\r\nSubject: from curl\r\n\r\nbody from curl\r\n`,
    );
    await run("curl", [
      "--silent",
      "--show-error",
      `smtp://127.0.0.1:${sandbox.smtpPort}`,
      "--mail-from",
      "curl@example.test",
      "--mail-rcpt",
      to,
      "--upload-file",
      file,
    ]);
    const message = await waitFor(to, after);
    expect(message.subject).toBe("from curl");
    expect(message.text).toContain("body from curl");
  });
});

/** A minimal SMTP client over a raw socket, for exchanges no library would make. */
function rawSession(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let buffer = "";
  const waiters: Array<() => void> = [];
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1");
    waiters.splice(0).forEach((w) => w());
  });
  const readReply = async (): Promise<string> => {
    for (;;) {
      const match = /(?:^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
      if (match) {
        const end = match.index + match[0].length;
        const reply = buffer.slice(0, end);
        buffer = buffer.slice(end);
        return reply;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    send: (line: string | Buffer) => socket.write(line),
    readReply,
    close: () => socket.destroy(),
  };
}

describe("protocol edges", () => {
  test("a client that sends EHLO before the greeting is served, not told it talks too soon", async () => {
    const session = rawSession(sandbox.smtpPort);
    session.send("EHLO early.example\r\n");
    expect(await session.readReply()).toMatch(/^220 /);
    const ehlo = await session.readReply();
    expect(ehlo).toMatch(/^250-/);
    expect(ehlo).toContain("SIZE 200000");
    expect(ehlo).toContain("STARTTLS");
    expect(ehlo).toContain("SMTPUTF8");
    expect(ehlo).toContain("8BITMIME");
    expect(ehlo).toContain("PIPELINING");
    expect(ehlo).toContain("ENHANCEDSTATUSCODES");
    session.close();
  });

  test("an oversize message gets 552 5.3.4, is not stored, and the server stays healthy", async () => {
    const to = unique("oversize");
    const before = (await api(sandbox, "/api/health")).body.messages;
    const error = await transport()
      .sendMail({ from: "big@example.test", to, subject: "too big", text: "x".repeat(300_000) })
      .catch((err: { responseCode?: number; response?: string }) => err);
    expect(error).toMatchObject({ responseCode: 552 });
    expect((error as { response: string }).response).toContain("5.3.4");
    const health = await api(sandbox, "/api/health");
    expect(health.status).toBe(200);
    expect(health.body.messages).toBe(before);
    const search = await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`);
    expect(search.body.total).toBe(0);
    // The same connection pool still delivers afterwards.
    const next = unique("after-oversize");
    const after = new Date().toISOString();
    await transport().sendMail({ from: "a@example.test", to: next, subject: "fine", text: "ok" });
    expect((await waitFor(next, after)).subject).toBe("fine");
  });

  test("MAIL FROM with a SIZE= beyond the limit is refused before DATA", async () => {
    const session = rawSession(sandbox.smtpPort);
    await session.readReply();
    session.send("EHLO raw.example\r\n");
    await session.readReply();
    session.send("MAIL FROM:<a@example.test> SIZE=999999999\r\n");
    expect(await session.readReply()).toMatch(/^552 /);
    session.close();
  });

  test("malformed MIME is captured with its raw bytes intact", async () => {
    const to = unique("malformed");
    const raw = Buffer.concat([
      Buffer.from(
        `From: broken@example.test\r\nTo: ${to}\r\nSubject: =?utf-8?B?broken base64?=\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n`,
      ),
      Buffer.from(
        "--never-closed\r\nContent-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n",
      ),
      Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0d, 0x0a]),
      Buffer.from("--wrong-boundary\r\n"),
    ]);
    const session = rawSession(sandbox.smtpPort);
    await session.readReply();
    session.send("EHLO raw.example\r\n");
    await session.readReply();
    session.send("MAIL FROM:<broken@example.test>\r\n");
    await session.readReply();
    session.send(`RCPT TO:<${to}>\r\n`);
    await session.readReply();
    session.send("DATA\r\n");
    expect(await session.readReply()).toMatch(/^354 /);
    session.send(Buffer.concat([raw, Buffer.from(".\r\n")]));
    const queued = await session.readReply();
    expect(queued).toMatch(/^250 /);
    session.send("QUIT\r\n");
    session.close();
    const id = /queued as ([0-9A-Z]{26})/.exec(queued)![1];
    const stored = await fetch(`${sandbox.url}/api/messages/${id}/raw`);
    expect(stored.headers.get("content-type")).toBe("message/rfc822");
    expect(Buffer.from(await stored.arrayBuffer()).equals(raw)).toBe(true);
    const message = await api(sandbox, `/api/messages/${id}`);
    expect(message.body.envelope.rcptTo).toEqual([to]);
  });
});

describe("required credentials", () => {
  let locked: Sandbox;
  beforeAll(async () => {
    locked = await startTestSandbox({ smtpAuth: [{ user: "app", pass: "right:pass" }] });
  });
  afterAll(() => locked.stop());

  test("wrong password gets 535, right one is accepted, no AUTH gets 530", async () => {
    const send = (auth?: { user: string; pass: string }) =>
      nodemailer
        .createTransport({
          host: "127.0.0.1",
          port: locked.smtpPort,
          tls: { rejectUnauthorized: false },
          auth,
        })
        .sendMail({ from: "a@example.test", to: "b@example.test", subject: "locked", text: "x" });
    await expect(send({ user: "app", pass: "wrong" })).rejects.toMatchObject({ responseCode: 535 });
    await expect(send()).rejects.toMatchObject({ responseCode: 530 });
    await expect(send({ user: "app", pass: "right:pass" })).resolves.toMatchObject({
      accepted: ["b@example.test"],
    });
  });
});
