import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * The REST API on the wire: long-polls and the SSE stream. Request/response checks of the same
 * routes run in process in api-messages.test.ts.
 */
let sandbox: Sandbox;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}@api.test`;

/** Stores a raw message through the upload endpoint; returns its id. */
async function upload(raw: string): Promise<string> {
  const { status, body } = await api(sandbox, "/api/messages", {
    method: "POST",
    body: raw,
    headers: { "content-type": "message/rfc822" },
  });
  expect(status).toBe(201);
  return body.id;
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.stop());

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
      "From: sse@events.test\r\nTo: t@events.test\r\nSubject: streamed\r\n\r\nhello\r\n",
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
