import { get } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * What a page on another origin can do to a default sandbox (no --ui-auth, no --api-token),
 * spoken as a browser speaks: the Origin and Sec-Fetch-Site headers it sets by itself. Another
 * port on loopback is another origin too, and the likeliest attacker (any local dev server).
 */
const FOREIGN = "http://127.0.0.1:5173";
let sandbox: Sandbox;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@xsite.test`;
const raw = (to: string, subject: string) =>
  `From: app@example.test\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\nhello\r\n`;
const countTo = async (to: string) =>
  (await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`)).body
    .total as number;

/** Opens the Mailpit websocket; resolves with the HTTP status of a refusal, or 101 and the first frame. */
export function upgrade(
  url: string,
  headers: Record<string, string>,
  origin?: string,
): Promise<{ status: number; first?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace("http", "ws")}/api/events`, {
      headers,
      ...(origin ? { origin } : {}),
    });
    ws.on("unexpected-response", (_request, response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    ws.on("message", (data) => {
      resolve({ status: 101, first: (data as Buffer).toString() });
      ws.close();
    });
    ws.on("error", reject);
  });
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

describe("live mail", () => {
  it("the websocket refuses a foreign Origin and a foreign Sec-Fetch-Site, and serves this origin and non-browsers", async () => {
    expect((await upgrade(sandbox.url, {}, FOREIGN)).status).toBe(403);
    expect((await upgrade(sandbox.url, {}, "null")).status).toBe(403);
    expect((await upgrade(sandbox.url, { "sec-fetch-site": "same-site" })).status).toBe(403);
    const same = await upgrade(sandbox.url, {}, sandbox.url);
    expect(same.status).toBe(101);
    expect(JSON.parse(same.first!)).toMatchObject({ Type: "stats" });
    expect((await upgrade(sandbox.url, {})).status).toBe(101);
  });

  it("the websocket answers a bad Host with 403, as HTTP does", async () => {
    expect((await upgrade(sandbox.url, { host: "evil.example.test" })).status).toBe(403);
    // fetch() may not set Host; node:http may.
    const status = await new Promise<number>((resolve, reject) => {
      get(`${sandbox.url}/api/messages`, { headers: { host: "evil.example.test" } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on("error", reject);
    });
    expect(status).toBe(403);
  });

  it("SSE and /api/wait refuse foreign pages", async () => {
    for (const headers of [
      { origin: FOREIGN },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ] as Array<Record<string, string>>) {
      for (const path of ["/api/events", "/api/wait?timeout=1"]) {
        const response = await fetch(`${sandbox.url}${path}`, { headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
          "FORBIDDEN",
        );
      }
    }
    const controller = new AbortController();
    const own = await fetch(`${sandbox.url}/api/events`, {
      headers: { origin: sandbox.url, "sec-fetch-site": "same-origin" },
      signal: controller.signal,
    });
    expect(own.status).toBe(200);
    controller.abort();
    expect((await fetch(`${sandbox.url}/api/wait?timeout=1`)).status).toBe(408);
  });
});

describe("mail injection", () => {
  it("a form post (text/plain, urlencoded, multipart) to POST /api/messages stores nothing", async () => {
    const to = unique("form");
    const form = new FormData();
    form.set("x", raw(to, "multipart"));
    const attempts: RequestInit[] = [
      { body: raw(to, "text"), headers: { "content-type": "text/plain", origin: FOREIGN } },
      { body: raw(to, "text, no origin"), headers: { "content-type": "text/plain" } },
      { body: new URLSearchParams({ x: raw(to, "urlencoded") }) },
      { body: form },
      { body: new Uint8Array(Buffer.from(raw(to, "unlabelled"))) },
      {
        body: raw(to, "rfc822 cross-site"),
        headers: { "content-type": "message/rfc822", "sec-fetch-site": "same-site" },
      },
    ];
    for (const init of attempts) {
      const response = await fetch(`${sandbox.url}/api/messages?to=${encodeURIComponent(to)}`, {
        method: "POST",
        ...init,
      });
      expect([403, 415], JSON.stringify(init.headers)).toContain(response.status);
    }
    expect(await countTo(to)).toBe(0);
    const ok = await fetch(`${sandbox.url}/api/messages?to=${encodeURIComponent(to)}`, {
      method: "POST",
      body: raw(to, "ok"),
      headers: { "content-type": "message/rfc822" },
    });
    expect(ok.status).toBe(201);
    expect(await countTo(to)).toBe(1);
  });

  it("says which Content-Type a route takes", async () => {
    const response = await fetch(`${sandbox.url}/api/messages`, { method: "POST", body: "x" });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: { code: "UNSUPPORTED_MEDIA_TYPE", message: expect.stringContaining("message/rfc822") },
    });
  });

  it("Mailpit's POST /api/v1/send takes JSON from this origin and non-browsers only", async () => {
    const to = unique("send");
    const body = JSON.stringify({
      From: { Email: "app@example.test" },
      To: [{ Email: to }],
      Subject: "send",
      Text: "x",
    });
    const refused: RequestInit[] = [
      { body, headers: { "content-type": "text/plain" } },
      { body: new URLSearchParams({ [body]: "" }) },
      { body, headers: { "content-type": "application/json", origin: FOREIGN } },
      { body, headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" } },
    ];
    for (const init of refused) {
      const response = await fetch(`${sandbox.url}/api/v1/send`, { method: "POST", ...init });
      expect([403, 415]).toContain(response.status);
    }
    expect(await countTo(to)).toBe(0);
    for (const headers of [
      { "content-type": "application/json" },
      { "content-type": "application/json", origin: sandbox.url },
    ] as Array<Record<string, string>>) {
      expect(
        (await fetch(`${sandbox.url}/api/v1/send`, { method: "POST", body, headers })).status,
      ).toBe(200);
    }
    expect(await countTo(to)).toBe(2);
  });

  it("refuses foreign changes on every mutating route family", async () => {
    const cases: Array<[string, string]> = [
      ["DELETE", "/api/messages"],
      ["PUT", "/api/faults"],
      ["PUT", "/api/providers/sendgrid"],
      ["PUT", "/api/v1/messages"],
      ["DELETE", "/api/v1/messages"],
      ["DELETE", "/api/v1/messages/x"],
      ["POST", "/api/auth"],
    ];
    const before = (await api(sandbox, "/api/messages")).body.total;
    for (const [method, path] of cases) {
      const response = await fetch(`${sandbox.url}${path}`, {
        method,
        headers: { origin: FOREIGN, "content-type": "application/json" },
        body: method === "DELETE" ? undefined : "{}",
      });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    expect((await api(sandbox, "/api/messages")).body.total).toBe(before);
  });

  it("the provider mocks refuse every web page but keep serving SDKs (Mailgun's multipart included)", async () => {
    const to = unique("mailgun");
    const form = () => {
      const data = new FormData();
      data.set("from", "shop@mg.example.com");
      data.set("to", to);
      data.set("subject", "multipart");
      data.set("text", "x");
      return data;
    };
    const auth = { authorization: `Basic ${Buffer.from("api:key-x").toString("base64")}` };
    for (const headers of [
      { origin: FOREIGN },
      { origin: sandbox.url },
      { "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "same-site" },
    ] as Array<Record<string, string>>) {
      const response = await fetch(`${sandbox.url}/mailgun/v3/mg.example.com/messages`, {
        method: "POST",
        body: form(),
        headers: { ...auth, ...headers },
      });
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await countTo(to)).toBe(0);
    expect(
      (
        await fetch(`${sandbox.url}/mailgun/v3/mg.example.com/messages`, {
          method: "POST",
          body: form(),
          headers: auth,
        })
      ).status,
    ).toBe(200);
    expect(await countTo(to)).toBe(1);
  });

  it("the SES query API sends on a GET only when no page asked for it (an <img> cannot)", async () => {
    const to = unique("ses");
    const query = new URLSearchParams({
      Action: "SendEmail",
      Source: "app@example.test",
      "Destination.ToAddresses.member.1": to,
      "Message.Subject.Data": "by GET",
      "Message.Body.Text.Data": "x",
      "X-Amz-Credential": "AKIDMAILPROOF/20260101/us-east-1/ses/aws4_request",
    });
    const image = {
      "sec-fetch-site": "cross-site",
      "sec-fetch-dest": "image",
      "sec-fetch-mode": "no-cors",
    };
    for (const headers of [image, { ...image, "sec-fetch-site": "same-origin" }]) {
      expect((await fetch(`${sandbox.url}/ses/?${query}`, { headers })).status).toBe(403);
    }
    expect(await countTo(to)).toBe(0);
    expect((await fetch(`${sandbox.url}/ses/?${query}`)).status).toBe(200);
    expect(await countTo(to)).toBe(1);
  });
});

describe("with --cors", () => {
  const TRUSTED = "http://127.0.0.1:4200";
  let cors: Sandbox;
  beforeAll(async () => {
    cors = await startTestSandbox({ cors: TRUSTED });
  });
  afterAll(async () => {
    await cors?.stop();
  });

  it("the trusted origin gets live mail and may change things; any other origin may not", async () => {
    expect((await upgrade(cors.url, {}, TRUSTED)).status).toBe(101);
    expect((await upgrade(cors.url, {}, FOREIGN)).status).toBe(403);
    const controller = new AbortController();
    const events = await fetch(`${cors.url}/api/events`, {
      headers: { origin: TRUSTED, "sec-fetch-site": "same-site" },
      signal: controller.signal,
    });
    expect(events.status).toBe(200);
    expect(events.headers.get("access-control-allow-origin")).toBe(TRUSTED);
    controller.abort();
    const raw = "From: a@example.test\r\nTo: cors@xsite.test\r\nSubject: cors\r\n\r\nx\r\n";
    const post = (origin: string) =>
      fetch(`${cors.url}/api/messages`, {
        method: "POST",
        body: raw,
        headers: { origin, "content-type": "message/rfc822", "sec-fetch-site": "same-site" },
      });
    expect((await post(TRUSTED)).status).toBe(201);
    expect((await post(FOREIGN)).status).toBe(403);
  });
});
