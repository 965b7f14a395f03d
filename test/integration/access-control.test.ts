import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Mailproof } from "../../src/client/index.js";
import { globalSetup } from "../../src/testing/global-setup.js";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * `--api-token` alone: every route that shows or changes captured mail wants the token (or the
 * UI's session cookie traded for it); the health check, the provider mocks and the UI's static
 * files stay open.
 */
const TOKEN = "tok-3f1c9a7e52d84b06a1e0";
let sandbox: Sandbox;
let messageId: string;

const bearer = { authorization: `Bearer ${TOKEN}` };
const get = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(`${sandbox.url}${path}`, { ...init, headers });

const raw = (to: string, subject: string) =>
  [
    `From: app@example.test`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replaceAll(" ", "-")}@example.test>`,
    "",
    "Your reset code is 123456.",
    "",
  ].join("\r\n");

async function upload(to: string, subject: string): Promise<string> {
  const response = await get(
    `/api/messages?to=${encodeURIComponent(to)}`,
    { ...bearer, "content-type": "message/rfc822" },
    { method: "POST", body: raw(to, subject) },
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Trades the token for the UI's session cookie (POST /api/auth). */
async function login(): Promise<string> {
  const response = await get("/api/auth", bearer, { method: "POST" });
  expect(response.status).toBe(204);
  const setCookie = response.headers.get("set-cookie") ?? "";
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  expect(setCookie).toMatch(/Path=\//);
  expect(setCookie).not.toContain(TOKEN);
  return setCookie.split(";")[0];
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ apiToken: TOKEN });
  messageId = await upload("first@access.test", "first message");
});
afterAll(async () => {
  await sandbox?.stop();
});

/** Every kind of route that carries mail: native REST, SSE, long-poll, compat layers, state. */
const GUARDED = [
  "/api/messages",
  "/api/messages/MSG",
  "/api/messages/MSG/raw",
  "/api/messages/MSG/links",
  "/api/wait?timeout=1&after=0",
  "/api/events",
  "/api/faults",
  "/api/dns",
  "/api/sessions",
  "/api/providers/sendgrid",
  "/api/openapi.json",
  "/api/v1/messages",
  "/api/v1/message/latest",
  "/api/v2/messages",
  "/view/latest.html",
  "/api/nothing-here",
];

describe("without credentials", () => {
  it.each(GUARDED)("GET %s answers 401 with a JSON error and a Bearer challenge", async (path) => {
    const response = await get(path.replace("MSG", messageId));
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="mailproof"');
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(body.error.message).toContain("--api-token");
  });

  it("cannot be sidestepped with encoded, doubled or dot-segment paths", async () => {
    const paths = [
      "/%61pi/messages",
      "/api%2Fmessages",
      "//api/messages",
      "/%2Fapi/messages",
      "/API/messages",
      "/api//messages",
      "/api/messages/",
      "/sendgrid/../api/messages",
      "/api/health/../messages",
      "/api/auth/../messages",
      "/%76iew/latest.html",
      "/api/v1/../v1/messages",
    ];
    for (const path of paths) {
      // Raw requests: fetch would normalise the path before sending it.
      const { status, type, body } = await new Promise<{
        status: number;
        type: string;
        body: string;
      }>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: sandbox.httpPort, path }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers["content-type"]),
              body: text,
            }),
          );
        });
        req.once("error", reject);
        req.end();
      });
      // Either refused, or the UI's static shell / a 404: never captured mail.
      if (status === 401) continue;
      expect(type, path).not.toMatch(/json/);
      expect(body, path).not.toContain("first message");
    }
  });

  it("refuses changes too: DELETE and upload do nothing", async () => {
    expect((await get("/api/messages", {}, { method: "DELETE" })).status).toBe(401);
    expect(
      (await get("/api/messages", {}, { method: "POST", body: raw("x@access.test", "sneaked in") }))
        .status,
    ).toBe(401);
    expect((await get(`/api/messages/${messageId}`, bearer)).status).toBe(200);
    const list = (await (await get("/api/messages?query=subject:sneaked", bearer)).json()) as {
      total: number;
    };
    expect(list.total).toBe(0);
  });

  it("refuses a wrong token, a token of another length and other schemes", async () => {
    for (const authorization of [
      `Bearer ${TOKEN.slice(0, -1)}x`,
      `Bearer ${TOKEN}0`,
      "Bearer ",
      TOKEN,
      `Token ${TOKEN}`,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`,
    ]) {
      const response = await get("/api/messages", { authorization });
      expect(response.status, authorization).toBe(401);
    }
  });

  it("keeps /api/health open for container health checks", async () => {
    const response = await get("/api/health");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe("ok");
  });

  it("serves the UI's static shell (no mail in it), which then asks for the token", async () => {
    for (const path of ["/", "/messages/some-id"]) {
      const response = await get(path);
      expect([200, 503], path).toContain(response.status);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    }
    const status = (await (await get("/api/auth")).json()) as {
      required: boolean;
      methods: string[];
      authenticated: boolean;
    };
    expect(status).toEqual({ required: true, methods: ["token"], authenticated: false });
  });

  it("leaves the provider mocks to their own key checks", async () => {
    const to = "provider@access.test";
    const body = JSON.stringify({
      personalizations: [{ to: [{ email: to }] }],
      from: { email: "app@example.test" },
      subject: "via sendgrid",
      content: [{ type: "text/plain", value: "hi" }],
    });
    const headers = { "content-type": "application/json" };
    const sent = await fetch(`${sandbox.url}/sendgrid/v3/mail/send`, {
      method: "POST",
      body,
      headers: { ...headers, authorization: "Bearer SG.provider-key" },
    });
    expect(sent.status).toBe(202);
    const unkeyed = await fetch(`${sandbox.url}/sendgrid/v3/mail/send`, {
      method: "POST",
      body,
      headers,
    });
    expect(unkeyed.status).toBe(401);
    // SendGrid's own error body, not ours.
    expect(((await unkeyed.json()) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    expect(unkeyed.headers.get("www-authenticate")).not.toBe('Bearer realm="mailproof"');
  });
});

describe("with the token", () => {
  it.each(GUARDED.filter((p) => !p.includes("nothing") && p !== "/api/events"))(
    "GET %s passes access control",
    async (path) => {
      const response = await get(path.replace("MSG", messageId), bearer);
      expect(response.status, path).not.toBe(401);
      expect(response.status, path).toBeLessThan(500);
      await response.body?.cancel();
    },
  );

  it("streams events over SSE", async () => {
    const controller = new AbortController();
    const response = await get("/api/events", bearer, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain(": connected");
    controller.abort();
  });

  it("works through the typed client, which sends the token", async () => {
    const client = new Mailproof({ url: sandbox.url, token: TOKEN });
    const to = client.address("client");
    const waiting = client.waitFor({ to, timeout: 10_000 });
    await upload(to, "client reset");
    const message = await waiting;
    expect(message.subject).toBe("client reset");
    expect((await client.raw(message.id)).toString()).toContain("123456");

    const anonymous = new Mailproof({ url: sandbox.url, token: "" });
    await expect(anonymous.messages()).rejects.toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    const wrong = new Mailproof({ url: sandbox.url, token: "not-the-token" });
    await expect(wrong.get(message.id)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("mailproof/testing globalSetup({ apiToken })", () => {
  it("exports MAILPROOF_API_TOKEN beside MAILPROOF_URL, so new Mailproof() needs no options", async () => {
    const before = process.env.MAILPROOF_API_TOKEN;
    const teardown = await globalSetup({
      apiToken: "setup-token-1",
      dns: ["zone"],
      logLevel: "silent",
    })();
    try {
      expect(process.env.MAILPROOF_API_TOKEN).toBe("setup-token-1");
      expect(await new Mailproof().messages()).toEqual([]);
      const anonymous = await fetch(`${process.env.MAILPROOF_URL}/api/messages`);
      expect(anonymous.status).toBe(401);
    } finally {
      await teardown();
    }
    expect(process.env.MAILPROOF_API_TOKEN).toBe(before);
  });
});

describe("the UI's session cookie", () => {
  it("is only issued for the right token", async () => {
    expect((await get("/api/auth", {}, { method: "POST" })).status).toBe(401);
    const wrong = await get("/api/auth", { authorization: "Bearer nope" }, { method: "POST" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("authorises reads, SSE (EventSource cannot send headers) and downloads", async () => {
    const cookie = await login();
    expect((await get("/api/auth", { cookie })).status).toBe(200);
    expect(
      ((await (await get("/api/auth", { cookie })).json()) as { authenticated: boolean })
        .authenticated,
    ).toBe(true);
    expect((await get(`/api/messages/${messageId}`, { cookie })).status).toBe(200);
    expect((await get(`/api/messages/${messageId}/raw?download`, { cookie })).status).toBe(200);
    const controller = new AbortController();
    const events = await get("/api/events", { cookie }, { signal: controller.signal });
    expect(events.status).toBe(200);
    controller.abort();
  });

  it("authorises changes only from this origin: another page (even another local port) gets 403", async () => {
    const cookie = await login();
    const id = await upload("csrf@access.test", "csrf target");
    const foreign = await get(
      `/api/messages/${id}`,
      { cookie, origin: "http://127.0.0.1:3000" },
      { method: "DELETE" },
    );
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    const crossSite = await get(
      `/api/messages/${id}`,
      { cookie, "sec-fetch-site": "same-site" },
      { method: "DELETE" },
    );
    expect(crossSite.status).toBe(403);
    expect((await get(`/api/messages/${id}`, bearer)).status).toBe(200);

    const sameOrigin = await get(
      `/api/messages/${id}`,
      { cookie, origin: sandbox.url },
      { method: "DELETE" },
    );
    expect(sameOrigin.status).toBe(200);
    expect((await get(`/api/messages/${id}`, bearer)).status).toBe(404);
  });

  it("does not count when tampered with, or once the token it was made for is gone", async () => {
    const cookie = await login();
    const [name, value] = cookie.split("=");
    const [expires, mac] = value.split(".");
    const later = `${name}=${Number(expires) + 3600}.${mac}`;
    const flipped = `${name}=${expires}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`;
    for (const forged of [later, flipped, `${name}=${TOKEN}`, `${name}=`]) {
      expect((await get("/api/messages", { cookie: forged })).status, forged).toBe(401);
    }
    // Another sandbox with another token does not accept this one's cookie.
    const other = await startTestSandbox({ apiToken: "another-token-0000" });
    try {
      const foreign = await fetch(`${other.url}/api/messages`, {
        headers: { cookie: `mailproof_session_${other.httpPort}=${value}` },
      });
      expect(foreign.status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it("is cleared by DELETE /api/auth", async () => {
    const response = await get("/api/auth", {}, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toMatch(/Max-Age=0/);
  });
});

describe("the Mailpit websocket on /api/events", () => {
  const connect = (headers: Record<string, string>) =>
    new Promise<{ opened: boolean; status: number | null; frame: unknown }>((resolve) => {
      const ws = new WebSocket(`${sandbox.url.replace("http", "ws")}/api/events`, { headers });
      ws.once("message", (data) => {
        resolve({ opened: true, status: null, frame: JSON.parse((data as Buffer).toString()) });
        ws.close();
      });
      ws.once("unexpected-response", (_request, response) => {
        resolve({ opened: false, status: response.statusCode ?? null, frame: null });
        ws.terminate();
      });
      ws.once("error", () => resolve({ opened: false, status: null, frame: null }));
    });

  it("refuses an upgrade without credentials", async () => {
    expect(await connect({})).toMatchObject({ opened: false, status: 401 });
    expect(await connect({ authorization: "Bearer wrong" })).toMatchObject({
      opened: false,
      status: 401,
    });
  });

  it("opens with the token and sends Mailpit's stats frame", async () => {
    const result = await connect(bearer);
    expect(result.opened).toBe(true);
    expect(result.frame).toMatchObject({ Type: "stats" });
  });

  it("opens with the session cookie from this origin only (no cross-site websocket hijacking)", async () => {
    const cookie = await login();
    expect((await connect({ cookie, origin: sandbox.url })).opened).toBe(true);
    expect(await connect({ cookie, origin: "http://evil.test" })).toMatchObject({
      opened: false,
      status: 403,
    });
    // With the token too: the browser may not open it from another page, credentials or not.
    expect(await connect({ ...bearer, origin: "http://evil.test" })).toMatchObject({
      opened: false,
      status: 403,
    });
  });
});
