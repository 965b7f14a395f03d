import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, inProcess, startTestSandbox, type InProcess } from "../helpers/sandbox.js";

/**
 * Request/response checks (search, paging, JSON shapes, errors) call the app in process; waits
 * that mail over SMTP ends and the SSE stream go over the socket.
 */
let sandbox: Sandbox;
let app: InProcess;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}@api.test`;

/** Stores a raw message through the upload endpoint; returns its id. */
async function upload(raw: string, params: Record<string, string> = {}): Promise<string> {
  const query = new URLSearchParams(params).toString();
  const { status, body } = await api(app, `/api/messages?${query}`, {
    method: "POST",
    body: raw,
    headers: { "content-type": "message/rfc822" },
  });
  expect(status).toBe(201);
  return body.id;
}

function eml(headers: Record<string, string>, body = "hello"): string {
  return (
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\r\n") + `\r\n\r\n${body}\r\n`
  );
}

const search = async (query: string) => {
  const { status, body } = await api(
    app,
    `/api/messages?limit=1000&query=${encodeURIComponent(query)}`,
  );
  expect(status).toBe(200);
  return body.messages.map((m: { id: string }) => m.id) as string[];
};

beforeAll(async () => {
  sandbox = await startTestSandbox();
  app = inProcess(sandbox);
});
afterAll(() => sandbox.stop());

describe("search operators", () => {
  const ids: Record<string, string> = {};
  const tag = `t${Date.now()}`;
  beforeAll(async () => {
    ids.alice = await upload(
      eml(
        {
          From: "Alice Liddell <alice@wonder.test>",
          To: "Bob <bob@builder.test>",
          Cc: "carol@cc.test",
          Subject: `Quarterly report ${tag}`,
          "Message-ID": `<alice-${tag}@wonder.test>`,
        },
        "The numbers are up.",
      ),
      { tags: `${tag},finance` },
    );
    ids.dave = await upload(
      eml(
        { From: "dave@other.test", To: "erin@builder.test", Subject: `Password reset ${tag}` },
        "Click the reset link to continue.",
      ),
      { to: `hidden-${tag}@bcc.test`, tags: tag },
    );
    ids.attach = await upload(
      [
        "From: files@other.test",
        "To: frank@files.test",
        `Subject: Files ${tag}`,
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "see attachment",
        "--b",
        'Content-Type: application/pdf; name="a.pdf"',
        'Content-Disposition: attachment; filename="a.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0xLjQK",
        "--b--",
        "",
      ].join("\r\n"),
      { tags: tag },
    );
    await api(app, `/api/messages/${ids.dave}`, {
      method: "PATCH",
      body: JSON.stringify({ read: true }),
      headers: { "content-type": "application/json" },
    });
  });

  test.each([
    ["free word", "numbers", ["alice"]],
    ["quoted phrase", '"reset link"', ["dave"]],
    ["to: full address is exact", "to:bob@builder.test", ["alice"]],
    ["to: substring of name", "to:bob", ["alice"]],
    ["to: matches envelope recipients", `to:hidden-${"TAG"}@bcc.test`, ["dave"]],
    ["to: domain part", "to:builder.test", ["alice", "dave"]],
    ["from:", "from:alice", ["alice"]],
    ["from: display name", 'from:"Alice Liddell"', ["alice"]],
    ["cc:", "cc:carol@cc.test", ["alice"]],
    ["subject:", "subject:password", ["dave"]],
    ["tag:", "tag:finance", ["alice"]],
    ["source:", "source:upload", ["alice", "dave", "attach"]],
    ["message-id:", `message-id:<alice-${"TAG"}@wonder.test>`, ["alice"]],
    ["has:attachment", "has:attachment", ["attach"]],
    ["is:read", "is:read", ["dave"]],
    ["is:unread", "is:unread", ["alice", "attach"]],
    ["negation", "-subject:password", ["alice", "attach"]],
    ["case-insensitive", "SUBJECT:QUARTERLY", ["alice"]],
    ["terms are ANDed", "from:other.test has:attachment", ["attach"]],
  ])("%s", async (_label, query, expected) => {
    const found = await search(`${query.replaceAll("TAG", tag)} tag:${tag}`);
    expect(found.sort()).toEqual(expected.map((k) => ids[k]).sort());
  });

  test("before: and after: compare the arrival time", async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await search(`tag:${tag} before:${future}`)).length).toBe(3);
    expect(await search(`tag:${tag} after:${future}`)).toEqual([]);
  });

  test("auth result terms parse (verdicts come from analysis)", async () => {
    expect(await search(`tag:${tag} -dkim:pass`)).toHaveLength(3);
  });

  test.each([
    "has:nothing",
    "is:maybe",
    "dkim:great",
    "before:not-a-date",
    "source:carrier-pigeon",
    "to:",
  ])("bad query %s is a 400 JSON error", async (query) => {
    const { status, body } = await api(app, `/api/messages?query=${encodeURIComponent(query)}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe("BAD_QUERY");
    expect(body.error.message).toBeTruthy();
  });

  test("an unknown field is a 400 that names it, not a silent empty result", async () => {
    const { status, body } = await api(
      app,
      `/api/messages?query=${encodeURIComponent("subjet:welcome")}`,
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: "BAD_QUERY",
      message: expect.stringContaining('"subjet:"'),
    });
  });
});

describe("messages", () => {
  test("keyset pagination walks newest to oldest with a total", async () => {
    const tag = `page${Date.now()}`;
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push(
        await upload(eml({ From: "p@page.test", To: "q@page.test", Subject: `page ${i}` }), {
          tags: tag,
        }),
      );
    const first = await api(app, `/api/messages?limit=2&query=tag:${tag}`);
    expect(first.body.total).toBe(5);
    expect(first.body.messages.map((m: { id: string }) => m.id)).toEqual([created[4], created[3]]);
    const second = await api(
      app,
      `/api/messages?limit=2&query=tag:${tag}&before=${first.body.next}`,
    );
    expect(second.body.messages.map((m: { id: string }) => m.id)).toEqual([created[2], created[1]]);
    const third = await api(
      app,
      `/api/messages?limit=2&query=tag:${tag}&before=${second.body.next}`,
    );
    expect(third.body.messages.map((m: { id: string }) => m.id)).toEqual([created[0]]);
    expect(third.body.next).toBeNull();
    expect(first.body.messages[0]).toMatchObject({
      subject: "page 4",
      attachmentCount: 0,
      read: false,
      tags: [tag],
      snippet: "hello",
      source: { kind: "upload" },
    });
  });

  test("full message, raw bytes, read and tags", async () => {
    const raw = eml(
      {
        From: "x@full.test",
        To: "y@full.test",
        Subject: "full",
        Date: "Tue, 03 Nov 2026 10:00:00 +0000",
        "X-Custom": "=?utf-8?q?caf=C3=A9?=",
      },
      "body text",
    );
    const id = await upload(raw);
    const { body: message } = await api(app, `/api/messages/${id}`);
    expect(message).toMatchObject({
      id,
      subject: "full",
      date: "2026-11-03T10:00:00.000Z",
      text: "body text\n",
      html: null,
      read: false,
      tags: [],
      size: Buffer.byteLength(raw),
    });
    expect(message.headers).toContainEqual({ name: "X-Custom", value: "café" });
    expect(message.analysis.status).toMatch(/pending|done/);
    const rawResponse = await app.request(`/api/messages/${id}/raw`);
    expect(await rawResponse.text()).toBe(raw);
    const patched = await api(app, `/api/messages/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ read: true, tags: ["a", "b", "a"] }),
      headers: { "content-type": "application/json" },
    });
    expect(patched.body).toMatchObject({ read: true, tags: ["a", "b"] });
    const badPatch = await api(app, `/api/messages/${id}`, {
      method: "PATCH",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.code).toBe("INVALID_JSON");
  });

  test("unknown ids and routes are 404 JSON", async () => {
    for (const path of [
      "/api/messages/01ZZZZZZZZZZZZZZZZZZZZZZZZ",
      "/api/messages/nope/raw",
      "/api/messages/nope/attachments/1",
      "/api/no-such-route",
    ]) {
      const { status, body } = await api(app, path);
      expect(status).toBe(404);
      expect(body.error.code).toBe("NOT_FOUND");
    }
  });

  test("delete one, by query, and all; each announced", async () => {
    const tag = `del${Date.now()}`;
    const a = await upload(eml({ From: "a@del.test", To: "b@del.test", Subject: "keep" }), {
      tags: tag,
    });
    const b = await upload(eml({ From: "a@del.test", To: "b@del.test", Subject: "drop me" }), {
      tags: tag,
    });
    const c = await upload(eml({ From: "a@del.test", To: "b@del.test", Subject: "drop me too" }), {
      tags: tag,
    });
    expect((await api(app, `/api/messages/${a}`, { method: "DELETE" })).body).toEqual({
      deleted: 1,
    });
    expect((await api(app, `/api/messages/${a}`, { method: "DELETE" })).status).toBe(404);
    const byQuery = await api(
      app,
      `/api/messages?query=${encodeURIComponent(`tag:${tag} subject:"drop me"`)}`,
      { method: "DELETE" },
    );
    expect(byQuery.body).toEqual({ deleted: 2 });
    expect((await api(app, `/api/messages/${b}`)).status).toBe(404);
    expect((await api(app, `/api/messages/${c}`)).status).toBe(404);
  });

  test("an empty upload is a 400", async () => {
    const { status, body } = await api(app, "/api/messages", { method: "POST", body: "" });
    expect(status).toBe(400);
    expect(body.error.code).toBe("BAD_REQUEST");
  });

  test("health and openapi", async () => {
    const health = await api(app, "/api/health");
    expect(health.body).toMatchObject({
      status: "ok",
      smtpPort: sandbox.smtpPort,
      httpPort: sandbox.httpPort,
    });
    expect(health.body.messages).toBeGreaterThan(0);
    const openapi = await api(app, "/api/openapi.json");
    expect(openapi.body.openapi).toBe("3.1.0");
    expect(Object.keys(openapi.body.paths)).toContain("/api/wait");
  });
});

describe("wait", () => {
  const send = (to: string, subject: string) =>
    nodemailer
      .createTransport({ host: "127.0.0.1", port: sandbox.smtpPort, pool: false, ignoreTLS: true })
      .sendMail({ from: "w@wait.test", to, subject, text: "waiting" });

  test("times out with a 408 JSON error", async () => {
    const { status, body } = await api(
      sandbox,
      `/api/wait?query=${encodeURIComponent(`to:${unique("never")}`)}&timeout=50`,
    );
    expect(status).toBe(408);
    expect(body.error.code).toBe("TIMEOUT");
  });

  test("returns a message that arrives while waiting, analysed", async () => {
    const to = unique("later");
    const waiting = api(sandbox, `/api/wait?query=${encodeURIComponent(`to:${to}`)}&timeout=10000`);
    await new Promise((r) => setTimeout(r, 50));
    await send(to, "arrived later");
    const { status, body } = await waiting;
    expect(status).toBe(200);
    expect(body).toMatchObject({ subject: "arrived later", analysis: { status: "done" } });
  });

  test("by default only counts messages after the request; `after` reaches back", async () => {
    const to = unique("earlier");
    const before = new Date(Date.now() - 1).toISOString();
    await send(to, "already here");
    const now = await api(sandbox, `/api/wait?query=${encodeURIComponent(`to:${to}`)}&timeout=100`);
    expect(now.status).toBe(408);
    const back = await api(
      sandbox,
      `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(before)}&timeout=5000`,
    );
    expect(back.status).toBe(200);
    expect(back.body.subject).toBe("already here");
    await send(to, "second");
    const afterId = await api(
      sandbox,
      `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${back.body.id}&timeout=5000`,
    );
    expect(afterId.body.subject).toBe("second");
  });

  test("20 concurrent waiters each get their own message", async () => {
    const recipients = Array.from({ length: 20 }, (_, i) => unique(`concurrent${i}`));
    const waits = recipients.map((to) =>
      api(sandbox, `/api/wait?query=${encodeURIComponent(`to:${to}`)}&timeout=15000`),
    );
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all(recipients.map((to, i) => send(to, `for waiter ${i}`)));
    const results = await Promise.all(waits);
    results.forEach(({ status, body }, i) => {
      expect(status).toBe(200);
      expect(body.subject).toBe(`for waiter ${i}`);
      expect(body.envelope.rcptTo).toEqual([recipients[i]]);
    });
  });

  test("a bad query or timeout is a 400", async () => {
    expect((await api(app, "/api/wait?query=is:maybe")).status).toBe(400);
    expect((await api(app, "/api/wait?timeout=-5")).status).toBe(400);
    expect((await api(app, "/api/wait?after=yesterday-ish")).status).toBe(400);
  });
});

describe("events", () => {
  test("SSE streams received, analyzed and deleted events", async () => {
    const controller = new AbortController();
    const response = await fetch(`${sandbox.url}/api/events`, { signal: controller.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
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
    const id = await upload(
      eml({ From: "sse@events.test", To: "t@events.test", Subject: "streamed" }),
    );
    await readUntil(new RegExp(`event: message.analyzed\\ndata: \\{"id":"${id}"`));
    expect(text).toMatch(
      new RegExp(
        `event: message.received\\ndata: \\{"id":"${id}","summary":\\{[^\\n]*"subject":"streamed"`,
      ),
    );
    await api(sandbox, `/api/messages/${id}`, { method: "DELETE" });
    await readUntil(new RegExp(`event: message.deleted\\ndata: \\{"ids":\\["${id}"\\]\\}`));
    controller.abort();
  });
});
