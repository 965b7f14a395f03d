import { execFile } from "node:child_process";
import { promisify } from "node:util";
import sendgridClient from "@sendgrid/client";
import sendgridMail from "@sendgrid/mail";
import nodemailer from "nodemailer";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Mailproof } from "../../src/client/index.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, inProcess, startTestSandbox, type InProcess } from "../helpers/sandbox.js";

// The SDKs' types declare `export =` beside their named classes; at run time both are there.
const { Client } = sendgridClient as unknown as { Client: new () => typeof sendgridClient };
const { MailService } = sendgridMail as unknown as { MailService: new () => typeof sendgridMail };

const run = promisify(execFile);
let sandbox: Sandbox;
/** REST reads and settings need no socket: in process (waits for SMTP mail stay on it). */
let app: InProcess;
let counter = 0;
const rcpt = (domain = "customer.test") => `mb-${++counter}-${Date.now()}@${domain}`;

/** Sends over real SMTP, authenticated as `user`; resolves with the stored message's id. */
async function sendAs(
  user: string | null,
  to: string,
  subject = "hello",
  target: Sandbox = sandbox,
): Promise<string> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: target.smtpPort,
    tls: { rejectUnauthorized: false },
    ...(user ? { auth: { user, pass: "pw" } } : {}),
  });
  await transport.sendMail({ from: "app@shop.test", to, subject, text: "hi" });
  const { body } = await api(target, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`);
  return body.messages[0].id;
}

/** The ids a POP3 login sees (UIDL = message id), with Python's poplib. */
async function pop3Ids(target: Sandbox, user: string): Promise<string[]> {
  const script = `
import json, poplib
p = poplib.POP3("127.0.0.1", ${target.pop3Port}, timeout=10)
p.user(${JSON.stringify(user)}); p.pass_("pw")
print(json.dumps([line.decode().split(" ")[1] for line in p.uidl()[1]]))
p.quit()
`;
  const { stdout } = await run("python3", ["-c", script], { timeout: 20_000 });
  return JSON.parse(stdout);
}

/** The Message-IDs' subjects an IMAP login sees in INBOX, with Python's imaplib. */
async function imapSubjects(target: Sandbox, user: string): Promise<string[]> {
  const script = `
import json, imaplib, email
m = imaplib.IMAP4("127.0.0.1", ${target.imapPort}, timeout=10)
m.login(${JSON.stringify(user)}, "pw"); m.select("INBOX", readonly=True)
_, data = m.search(None, "ALL")
subjects = []
for n in data[0].split():
    _, parts = m.fetch(n, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    subjects.append(email.message_from_bytes(parts[0][1])["Subject"])
print(json.dumps(subjects)); m.logout()
`;
  const { stdout } = await run("python3", ["-c", script], { timeout: 20_000 });
  return JSON.parse(stdout);
}

function sendgrid(apiKey: string) {
  const client = new Client();
  client.setApiKey(apiKey);
  client.setDefaultRequest("baseUrl", `${sandbox.url}/sendgrid`);
  const mail = new MailService();
  mail.setClient(client);
  return mail;
}

const ids = (page: { messages: Array<{ id: string }> }) => page.messages.map((m) => m.id);

beforeAll(async () => {
  sandbox = await startTestSandbox({
    mailboxBy: "auth",
    smtpAuth: [
      { user: "alice", pass: "pw" },
      { user: "Bob", pass: "pw" },
    ],
    pop3Port: 0,
    imapPort: 0,
    mailAuth: [
      { user: "alice", pass: "pw" },
      { user: "bob", pass: "pw" },
    ],
    providers: { sendgrid: { apiKeyNames: { "SG.billing-key": "billing" } } },
  });
  app = inProcess(sandbox);
});
afterAll(() => sandbox.stop());

describe("--mailbox-by auth", () => {
  const alice: string[] = [];
  const bob: string[] = [];
  beforeAll(async () => {
    alice.push(await sendAs("alice", rcpt(), "for alice 1"));
    bob.push(await sendAs("Bob", rcpt(), "for bob"));
    alice.push(await sendAs("alice", rcpt(), "for alice 2"));
  });

  test("each SMTP AUTH user gets a mailbox (lower-cased) on the message and its summary", async () => {
    expect((await api(app, `/api/messages/${alice[0]}`)).body.mailbox).toBe("alice");
    expect((await api(app, `/api/messages/${bob[0]}`)).body.mailbox).toBe("bob");
    const { body } = await api(app, "/api/messages?mailbox=bob");
    expect(body.messages.map((m: { mailbox: string }) => m.mailbox)).toEqual(["bob"]);
  });

  test("?mailbox= and mailbox: filter the list, alone or with a query", async () => {
    expect(ids((await api(app, "/api/messages?mailbox=alice")).body)).toEqual([...alice].reverse());
    expect(ids((await api(app, "/api/messages?mailbox=ALICE")).body)).toEqual([...alice].reverse());
    expect(
      ids((await api(app, `/api/messages?query=${encodeURIComponent("mailbox:bob")}`)).body),
    ).toEqual(bob);
    expect(
      ids(
        (
          await api(
            app,
            `/api/messages?mailbox=alice&query=${encodeURIComponent('subject:"alice 2"')}`,
          )
        ).body,
      ),
    ).toEqual([alice[1]]);
    expect(
      ids(
        (
          await api(
            app,
            `/api/messages?mailbox=bob&query=${encodeURIComponent('subject:"alice 2"')}`,
          )
        ).body,
      ),
    ).toEqual([]);
    expect((await api(app, "/api/messages?mailbox=nobody")).body.total).toBe(0);
  });

  test("GET /api/mailboxes lists the mailboxes with their counts", async () => {
    const { body } = await api(app, "/api/mailboxes");
    expect(body).toEqual(
      expect.arrayContaining([
        { name: "alice", count: alice.length },
        { name: "bob", count: bob.length },
      ]),
    );
  });

  test("?mailbox= on wait answers with that mailbox's message, not an earlier one of another", async () => {
    const to = rcpt();
    const waiting = api(
      sandbox,
      `/api/wait?mailbox=bob&query=${encodeURIComponent(`to:${to}`)}&timeout=15000`,
    );
    await sendAs("alice", to, "alice first");
    const bobs = await sendAs("Bob", to, "bob second");
    const { status, body } = await waiting;
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: bobs, mailbox: "bob", subject: "bob second" });
  });

  test("the typed client waits in a mailbox: mail.waitFor({ mailbox })", async () => {
    const mail = new Mailproof({ url: sandbox.url });
    const to = rcpt();
    const waiting = mail.waitFor({ to, mailbox: "alice", after: new Date(), timeout: 15_000 });
    await sendAs("Bob", to, "not this one");
    await sendAs("alice", to, "this one");
    const message = await waiting;
    expect(message.subject).toBe("this one");
    expect(message.mailbox).toBe("alice");
    expect((await mail.messages(`to:${to}`, { mailbox: "bob" })).map((m) => m.subject)).toEqual([
      "not this one",
    ]);
  });

  test("?mailbox= on the event stream sends only that mailbox's events", async () => {
    const controller = new AbortController();
    const response = await fetch(`${sandbox.url}/api/events?mailbox=alice`, {
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += decoder.decode(value);
      }
    };
    await readUntil(/: connected/);
    const bobs = await sendAs("Bob", rcpt(), "streamed to bob");
    const alices = await sendAs("alice", rcpt(), "streamed to alice");
    await readUntil(new RegExp(`event: message.analyzed\\ndata: \\{"id":"${alices}"`));
    controller.abort();
    expect(text).toContain(`event: message.received\ndata: {"id":"${alices}"`);
    expect(text).not.toContain(bobs);
  });

  test("Mailpit's websocket with ?mailbox= sends only that mailbox's new frames", async () => {
    const ws = new WebSocket(`${sandbox.url.replace("http", "ws")}/api/events?mailbox=Bob`);
    const frames: Array<{ Type: string; Data: any }> = [];
    ws.on("message", (data) => frames.push(JSON.parse((data as Buffer).toString())));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    await expect.poll(() => frames.map((f) => f.Type)).toContain("stats");
    await sendAs("alice", rcpt(), "ws for alice");
    await sendAs("Bob", rcpt(), "ws for bob");
    await expect
      .poll(() => frames.filter((f) => f.Type === "new").map((f) => f.Data.Subject))
      .toEqual(["ws for bob"]);
    ws.close();
  });

  test("a POP3 login sees its own mailbox only (Python poplib)", async () => {
    const aliceIds = ids((await api(app, "/api/messages?mailbox=alice&limit=100")).body).reverse();
    const bobIds = ids((await api(app, "/api/messages?mailbox=bob&limit=100")).body).reverse();
    expect(await pop3Ids(sandbox, "alice")).toEqual(aliceIds);
    expect(await pop3Ids(sandbox, "bob")).toEqual(bobIds);
    expect(aliceIds.some((id) => bobIds.includes(id))).toBe(false);
  });

  test("an IMAP login sees its own mailbox only (Python imaplib)", async () => {
    const subjects = async (mailbox: string) =>
      (await api(app, `/api/messages?mailbox=${mailbox}&limit=100`)).body.messages
        .map((m: { subject: string }) => m.subject)
        .reverse();
    const alice = await subjects("alice");
    expect(alice.length).toBeGreaterThan(0);
    expect(await imapSubjects(sandbox, "alice")).toEqual(alice);
    expect(await imapSubjects(sandbox, "bob")).toEqual(await subjects("bob"));
  });

  test("a provider mock files a send under its API key's name, never the key itself (SendGrid SDK)", async () => {
    const named = rcpt();
    await sendgrid("SG.billing-key").send({
      from: "app@shop.test",
      to: named,
      subject: "named key",
      text: "hi",
    });
    const unnamed = rcpt();
    await sendgrid("SG.unnamed-secret-key").send({
      from: "app@shop.test",
      to: unnamed,
      subject: "unnamed key",
      text: "hi",
    });
    const mailboxOf = async (to: string) =>
      (await api(app, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`)).body.messages[0]
        .mailbox as string;
    expect(await mailboxOf(named)).toBe("billing");
    const label = await mailboxOf(unnamed);
    expect(label).toMatch(/^sendgrid:[0-9a-f]{8}$/);
    expect(label).not.toContain("secret");
    expect(ids((await api(app, "/api/messages?mailbox=billing")).body)).toHaveLength(1);
  });

  test("mail without a login (an upload, unauthenticated SMTP) lands in default", async () => {
    const upload = await api(app, "/api/messages", {
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: "Subject: up\r\nTo: x@y.test\r\n\r\nhi\r\n",
    });
    expect((await api(app, `/api/messages/${upload.body.id}`)).body.mailbox).toBe("default");
  });

  test("a bad search term next to ?mailbox= is still a 400", async () => {
    const { status, body } = await api(app, "/api/messages?mailbox=alice&query=nosuch:thing");
    expect(status).toBe(400);
    expect(body.error.code).toBe("BAD_QUERY");
  });
});

describe("--mailbox-by domain", () => {
  let domains: Sandbox;
  beforeAll(async () => {
    domains = await startTestSandbox({ mailboxBy: "domain", pop3Port: 0 });
  });
  afterAll(() => domains.stop());

  test("the first recipient's domain is the mailbox; a POP3 login reads its domain's mailbox", async () => {
    const shop = await sendAs(null, rcpt("Shop.Test"), "to shop", domains);
    const other = await sendAs(null, rcpt("other.test"), "to other", domains);
    expect((await api(domains, `/api/messages/${shop}`)).body.mailbox).toBe("shop.test");
    expect((await api(domains, "/api/mailboxes")).body).toEqual([
      { name: "other.test", count: 1 },
      { name: "shop.test", count: 1 },
    ]);
    expect(ids((await api(domains, "/api/messages?mailbox=other.test")).body)).toEqual([other]);
    expect(await pop3Ids(domains, "qa@shop.test")).toEqual([shop]);
    expect(await pop3Ids(domains, "other.test")).toEqual([other]);
    expect(await pop3Ids(domains, "nobody@")).toEqual([]);
  });

  test("DELETE /api/messages?mailbox= empties that mailbox only", async () => {
    await sendAs(null, rcpt("gone.test"), "to be deleted", domains);
    const kept = (await api(domains, "/api/messages?mailbox=shop.test")).body.total;
    expect(
      (await api(domains, "/api/messages?mailbox=gone.test", { method: "DELETE" })).body,
    ).toEqual({ deleted: 1 });
    expect((await api(domains, "/api/messages?mailbox=gone.test")).body.total).toBe(0);
    expect((await api(domains, "/api/messages?mailbox=shop.test")).body.total).toBe(kept);
  });
});

describe("--mailbox-by none (the default)", () => {
  test("every message is in default and a POP3 login sees all of them", async () => {
    const plain = await startTestSandbox({
      pop3Port: 0,
      smtpAuth: [{ user: "alice", pass: "pw" }],
    });
    try {
      const id = await sendAs("alice", rcpt(), "plain", plain);
      expect((await api(plain, `/api/messages/${id}`)).body.mailbox).toBe("default");
      expect((await api(plain, "/api/mailboxes")).body).toEqual([{ name: "default", count: 1 }]);
      expect(await pop3Ids(plain, "alice")).toEqual([id]);
    } finally {
      await plain.stop();
    }
  });
});
