import { execFile } from "node:child_process";
import net from "node:net";
import tls from "node:tls";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

const run = promisify(execFile);
let sandbox: Sandbox;

/** Runs a Python imaplib script against the sandbox; it prints JSON. */
async function python(body: string): Promise<any> {
  const script = `
import base64, imaplib, json, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", ${sandbox.imapPort}, timeout=10)
${body}
`;
  const { stdout } = await run("python3", ["-c", script], { timeout: 20_000 });
  return JSON.parse(stdout);
}

async function upload(raw: string): Promise<string> {
  const { body } = await api(sandbox, "/api/messages", {
    method: "POST",
    headers: { "content-type": "message/rfc822" },
    body: Buffer.from(raw),
  });
  return body.id;
}

async function storedRaw(id: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(`${sandbox.url}/api/messages/${id}/raw`)).arrayBuffer());
}

function imapflow(): ImapFlow {
  return new ImapFlow({
    host: "127.0.0.1",
    port: sandbox.imapPort!,
    secure: false,
    tls: { rejectUnauthorized: false },
    auth: { user: "qa", pass: "pw" },
    logger: false,
  });
}

const multipart = [
  'From: "Shop, Inc." <shop@imap.test>',
  "To: ann@imap.test, Bob <bob@imap.test>",
  "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= and a receipt",
  "Message-ID: <receipt-1@imap.test>",
  "Date: Thu, 03 Dec 2026 10:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "--outer",
  'Content-Type: multipart/alternative; boundary="inner"',
  "",
  "--inner",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: 8bit",
  "",
  "Grüße, your code is 424242",
  "--inner",
  "Content-Type: text/html; charset=utf-8",
  "",
  "<p>Your code is <b>424242</b></p>",
  "--inner--",
  "--outer",
  'Content-Type: application/pdf; name="receipt.pdf"',
  'Content-Disposition: attachment; filename="receipt.pdf"',
  "Content-Transfer-Encoding: base64",
  "",
  "JVBERi0xLjQK",
  "--outer--",
  "",
].join("\r\n");

beforeAll(async () => {
  sandbox = await startTestSandbox({ imapPort: 0, mailAuth: [{ user: "qa", pass: "pw" }] });
});
afterAll(() => sandbox.stop());
afterEach(async () => {
  await api(sandbox, "/api/messages", { method: "DELETE" });
});

describe("IMAP with Python's imaplib", () => {
  test("STARTTLS, LOGIN, SELECT, SEARCH, FETCH BODY.PEEK[] bytes identical to /raw", async () => {
    const ids = [
      await upload("From: a@imap.test\r\nTo: t@imap.test\r\nSubject: plain one\r\n\r\nhello\r\n"),
      await upload(multipart),
    ];
    const result = await python(`
caps = list(m.capabilities)
m.starttls(ctx)
try:
    m.login("qa", "wrong"); refused = False
except imaplib.IMAP4.error:
    refused = True
m.login("qa", "pw")
typ, data = m.select("INBOX")
exists = int(data[0])
uidvalidity = m.response("UIDVALIDITY")[1][0].decode()
found = {
  "all": m.search(None, "ALL")[1][0].decode(),
  "from": m.search(None, "FROM", "shop@imap")[1][0].decode(),
  "fromName": m.search(None, "FROM", "Shop")[1][0].decode(),
  "to": m.search(None, "TO", "bob")[1][0].decode(),
  "subject": m.search(None, "SUBJECT", "plain")[1][0].decode(),
  "unseen": m.search(None, "UNSEEN")[1][0].decode(),
  "text": m.search(None, "TEXT", "424242")[1][0].decode(),
  "since": m.search(None, "SINCE", "1-Jan-2000")[1][0].decode(),
  "before": m.search(None, "BEFORE", "1-Jan-2000")[1][0].decode(),
}
uids = m.uid("SEARCH", None, "ALL")[1][0].decode()
bodies = [base64.b64encode(m.fetch(str(n), "(BODY.PEEK[])")[1][0][1]).decode() for n in (1, 2)]
flags_after_peek = m.fetch("2", "(FLAGS)")[1][0].decode()
parts = [p[1].decode() for p in m.fetch("2", "(BODY.PEEK[1.1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS.NOT (TO FROM SUBJECT DATE MIME-VERSION CONTENT-TYPE)] BODY.PEEK[TEXT]<0.7>)")[1] if isinstance(p, tuple)]
read_fetch = m.fetch("1", "(BODY[TEXT])")[1][-1].decode()
m.logout()
print(json.dumps({"read_fetch": read_fetch, "caps": caps, "refused": refused, "exists": exists, "uidvalidity": uidvalidity, "found": found, "uids": uids, "bodies": bodies, "flags": flags_after_peek, "parts": parts}))
`);
    expect(result.caps).toEqual(
      expect.arrayContaining(["IMAP4REV1", "STARTTLS", "AUTH=PLAIN", "IDLE"]),
    );
    expect(result.refused).toBe(true);
    expect(result.exists).toBe(2);
    expect(Number(result.uidvalidity)).toBeGreaterThan(0);
    expect(result.found).toEqual({
      all: "1 2",
      from: "2",
      fromName: "2",
      to: "2",
      subject: "1",
      unseen: "1 2",
      text: "2",
      since: "1 2",
      before: "",
    });
    expect(result.uids.split(" ").map(Number)).toHaveLength(2);
    for (const [i, encoded] of (result.bodies as string[]).entries()) {
      expect(Buffer.from(encoded, "base64").equals(await storedRaw(ids[i]))).toBe(true);
    }
    expect(result.flags).not.toContain("\\Seen");
    // BODY[…] without .PEEK sets \Seen (RFC 3501 §6.4.5) and says so.
    expect(result.read_fetch).toContain("FLAGS (\\Seen)");
    expect((await api(sandbox, `/api/messages/${ids[0]}`)).body.read).toBe(true);
    expect(result.parts).toEqual([
      "Grüße, your code is 424242",
      'Content-Type: application/pdf; name="receipt.pdf"\r\nContent-Disposition: attachment; filename="receipt.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n',
      "Message-ID: <receipt-1@imap.test>\r\n\r\n",
      "--outer",
    ]);
  });

  test("AUTHENTICATE PLAIN; EXAMINE is read-only; UID STORE +FLAGS (\\Seen) marks the message read; \\Deleted + EXPUNGE deletes it", async () => {
    const [keep, drop] = [
      await upload("Subject: keep\r\n\r\nk\r\n"),
      await upload("Subject: drop\r\n\r\nd\r\n"),
    ];
    const result = await python(`
m.authenticate("PLAIN", lambda challenge: b"\\0qa\\0pw")
m.select("INBOX", readonly=True)
readonly_store = m.store("1", "+FLAGS", "(\\Seen)")[0]
m.select("INBOX")
uids = m.uid("SEARCH", None, "ALL")[1][0].decode().split()
m.uid("STORE", uids[0], "+FLAGS", "(\\\\Seen)")
seen = m.search(None, "SEEN")[1][0].decode()
m.uid("STORE", uids[1], "+FLAGS.SILENT", "(\\\\Deleted)")
expunged = [d.decode() for d in m.expunge()[1]]
left = m.search(None, "ALL")[1][0].decode()
m.logout()
print(json.dumps({"readonly": readonly_store, "seen": seen, "expunged": expunged, "left": left}))
`);
    expect(result).toEqual({ readonly: "NO", seen: "1", expunged: ["2"], left: "1" });
    expect((await api(sandbox, `/api/messages/${keep}`)).body.read).toBe(true);
    expect((await api(sandbox, `/api/messages/${drop}`)).status).toBe(404);
  });
});

describe("IMAP with imapflow", () => {
  test("envelope, bodyStructure and source (identical to /raw); mailbox status", async () => {
    const id = await upload(multipart);
    const client = imapflow();
    await client.connect();
    try {
      const status = await client.status("INBOX", {
        messages: true,
        unseen: true,
        uidNext: true,
        uidValidity: true,
      });
      expect(status).toMatchObject({ messages: 1, unseen: 1 });
      if (!status) return;
      const lock = await client.getMailboxLock("INBOX");
      try {
        const message = await client.fetchOne("*", {
          uid: true,
          envelope: true,
          bodyStructure: true,
          source: true,
          flags: true,
          internalDate: true,
          size: true,
        });
        expect(message).toBeTruthy();
        if (!message) return;
        expect(message.uid).toBeLessThan(Number(status.uidNext));
        expect(message.envelope?.subject).toBe("Grüße and a receipt");
        expect(message.envelope?.from).toEqual([{ name: "Shop, Inc.", address: "shop@imap.test" }]);
        expect(message.envelope?.to?.map((a) => a.address)).toEqual([
          "ann@imap.test",
          "bob@imap.test",
        ]);
        expect(message.envelope?.messageId).toBe("<receipt-1@imap.test>");
        const tree = message.bodyStructure!;
        expect(tree.type).toBe("multipart/mixed");
        expect(tree.childNodes?.map((n) => n.type)).toEqual([
          "multipart/alternative",
          "application/pdf",
        ]);
        expect(tree.childNodes?.[1]).toMatchObject({
          part: "2",
          disposition: "attachment",
          dispositionParameters: { filename: "receipt.pdf" },
          encoding: "base64",
        });
        expect(message.source?.equals(await storedRaw(id))).toBe(true);
        expect(message.size).toBe(message.source?.length);
        const { content } = await client.download(String(message.uid), "1.1", { uid: true });
        const chunks: Buffer[] = [];
        for await (const chunk of content ?? []) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).toString("utf8")).toBe("Grüße, your code is 424242");
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  test("search (a UTF-8 literal included), flags and delete through imapflow's helpers", async () => {
    const [first, second] = [
      await upload("From: a@imap.test\r\nSubject: plain\r\n\r\nx\r\n"),
      await upload(multipart),
    ];
    const client = imapflow();
    await client.connect();
    try {
      const lock = await client.getMailboxLock("INBOX");
      try {
        const uids = (await client.search({ all: true }, { uid: true })) || [];
        expect(uids).toHaveLength(2);
        expect(await client.search({ subject: "Grüße" }, { uid: true })).toEqual([uids[1]]);
        expect(await client.search({ seen: false, from: "a@imap.test" }, { uid: true })).toEqual([
          uids[0],
        ]);
        await client.messageFlagsAdd(String(uids[0]), ["\\Seen"], { uid: true });
        expect((await api(sandbox, `/api/messages/${first}`)).body.read).toBe(true);
        await client.messageDelete(String(uids[1]), { uid: true });
        expect((await api(sandbox, `/api/messages/${second}`)).status).toBe(404);
        expect(await client.search({ all: true }, { uid: true })).toEqual([uids[0]]);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  test("IDLE hears a message sent over SMTP (EXISTS) and a deletion through the API (EXPUNGE)", async () => {
    const client = imapflow();
    await client.connect();
    try {
      await client.mailboxOpen("INBOX");
      const exists = new Promise<number>((resolve) =>
        client.once("exists", (event: { count: number }) => resolve(event.count)),
      );
      // imapflow would start IDLE by itself after 15 s without commands.
      const idling = client.idle();
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: sandbox.smtpPort,
        secure: false,
        tls: { rejectUnauthorized: false },
      });
      await transport.sendMail({
        from: "app@imap.test",
        to: "ann@imap.test",
        subject: "pushed",
        text: "over SMTP",
      });
      expect(await exists).toBe(1);
      const expunge = new Promise<number>((resolve) =>
        client.once("expunge", (event: { seq: number }) => resolve(event.seq)),
      );
      await api(sandbox, "/api/messages", { method: "DELETE" });
      expect(await expunge).toBe(1);
      await client.logout();
      await idling;
    } finally {
      client.close();
    }
  });
});

describe("IMAP protocol details", () => {
  /** A raw connection: sends lines, collects what the server says until `until` appears. */
  async function converse(steps: Array<{ send: string; until: RegExp }>): Promise<string[]> {
    const socket = net.connect(sandbox.imapPort!, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    const waitFor = async (pattern: RegExp) => {
      const started = Date.now();
      while (!pattern.test(received)) {
        if (Date.now() - started > 10_000) throw new Error(`no ${pattern} in ${received}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await waitFor(/^\* OK/);
    const replies: string[] = [];
    for (const step of steps) {
      received = "";
      socket.write(step.send);
      await waitFor(step.until);
      replies.push(received);
    }
    socket.destroy();
    return replies;
  }

  test("synchronising and non-synchronising literals", async () => {
    const [go, loggedIn] = await converse([
      { send: "a1 LOGIN {2}\r\n", until: /^\+ / },
      { send: "qa {2+}\r\npw\r\n", until: /a1 (OK|NO|BAD)/ },
    ]);
    expect(go).toMatch(/^\+ /);
    expect(loggedIn).toMatch(/^a1 OK/m);
  });

  test("bad commands get BAD and the connection stays usable", async () => {
    const replies = await converse([
      { send: "x1 FROB\r\n", until: /x1 / },
      { send: "x2 SELECT INBOX\r\n", until: /x2 / },
      { send: "x3 LOGIN qa pw\r\n", until: /x3 / },
      { send: "x4 FETCH 1 (FLAGS)\r\n", until: /x4 / },
      { send: "x5 SELECT INBOX\r\n", until: /x5 / },
      { send: "x6 FETCH 1 (BODY[BOGUS])\r\n", until: /x6 / },
      { send: "x7 SEARCH SINCE yesterday\r\n", until: /x7 / },
      { send: "x8 ID NIL\r\n", until: /x8 / },
      { send: "x9 FETCH 1:* (FLAGS\r\n", until: /x9 / },
      { send: "x10 COPY 1 Trash\r\n", until: /x10 / },
      { send: "x11 NOOP\r\n", until: /x11 / },
    ]);
    expect(replies.map((r) => /^x\d+ (\w+)/m.exec(r)?.[1])).toEqual([
      "BAD",
      "BAD",
      "OK",
      "BAD",
      "OK",
      "BAD",
      "BAD",
      "BAD",
      "BAD",
      "NO",
      "OK",
    ]);
  });

  test("commands pipelined behind STARTTLS in plaintext are discarded, not run after the upgrade", async () => {
    const plain = net.connect(sandbox.imapPort!, "127.0.0.1");
    let received = "";
    const waitFor = async (pattern: RegExp) => {
      const started = Date.now();
      while (!pattern.test(received)) {
        if (Date.now() - started > 10_000) throw new Error(`no ${pattern} in ${received}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    plain.on("data", (chunk) => (received += chunk.toString("latin1")));
    await waitFor(/^\* OK/);
    plain.write("s1 STARTTLS\r\ns2 LOGIN qa pw\r\n");
    await waitFor(/s1 OK/);
    plain.removeAllListeners("data");
    received = "";
    const secured = tls.connect({ socket: plain, rejectUnauthorized: false });
    secured.on("data", (chunk) => (received += chunk.toString("latin1")));
    await new Promise((resolve) => secured.once("secureConnect", resolve));
    // Replies come in command order: had s2 run, its reply would precede s3's.
    secured.write("s3 CAPABILITY\r\n");
    await waitFor(/s3 OK/);
    secured.destroy();
    expect(received).not.toMatch(/s2/);
    expect(received).toContain("AUTH=PLAIN");
  });

  test("UIDs are never reused, also after the newest message is deleted", async () => {
    await upload("Subject: one\r\n\r\n1\r\n");
    const newest = await upload("Subject: two\r\n\r\n2\r\n");
    const before = await sandbox.store.uids({ terms: [] }, 0);
    await api(sandbox, `/api/messages/${newest}`, { method: "DELETE" });
    await upload("Subject: three\r\n\r\n3\r\n");
    const after = await sandbox.store.uids({ terms: [] }, 0);
    expect(after).toHaveLength(2);
    expect(after[1].uid).toBeGreaterThan(before[1].uid);
    expect((await sandbox.store.uidState()).next).toBe(after[1].uid + 1);
  });
});
