import { Hono } from "hono";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createAccessControl } from "../../src/api/auth.js";

/**
 * The UI session cookie's lifetime, on the access-control middleware in-process (`app.request`)
 * with a clock the test moves: 12 hours, then the token is needed again.
 */
const TOKEN = "session-clock-token";
const HOUR = 3600_000;

function setup() {
  let now = Date.UTC(2026, 0, 1);
  const access = createAccessControl(
    { logger: pino({ level: "silent" }), httpPort: () => 8025, now: () => now },
    { uiAuth: null, apiToken: TOKEN },
  );
  const app = new Hono()
    .use("*", access.middleware)
    .route("/api/auth", access.routes)
    .get("/api/messages", (c) => c.json({ messages: [] }));
  return { app, advance: (ms: number) => void (now += ms) };
}

describe("session cookie lifetime", () => {
  it("is accepted for 12 hours and refused after", async () => {
    const { app, advance } = setup();
    const login = await app.request("/api/auth", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, host: "127.0.0.1:8025" },
    });
    expect(login.status).toBe(204);
    const setCookie = login.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(
      /^mailproof_session_8025=\d+\.[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/,
    );
    const cookie = setCookie.split(";")[0];
    const read = () =>
      app.request("/api/messages", { headers: { cookie, host: "127.0.0.1:8025" } });

    expect((await read()).status).toBe(200);
    advance(12 * HOUR - 1000);
    expect((await read()).status).toBe(200);
    advance(2000);
    const expired = await read();
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toBe('Bearer realm="mailproof"');
  });

  it("is named after the HTTP port, so two sandboxes on one host keep their own", async () => {
    const { app } = setup();
    const login = await app.request("/api/auth", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, host: "127.0.0.1:8025" },
    });
    const value = (login.headers.get("set-cookie") ?? "").split(";")[0].split("=")[1];
    const other = await app.request("/api/messages", {
      headers: { cookie: `mailproof_session_9025=${value}`, host: "127.0.0.1:8025" },
    });
    expect(other.status).toBe(401);
  });
});
