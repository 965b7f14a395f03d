import { MailpitClient } from "mailpit-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * `--ui-auth` and `--api-token` together, with `--cors`: either credential passes; Basic guards
 * the UI's pages as well (the browser asks for it); CORS headers go to the one trusted origin only.
 */
const USER = "qa";
const PASS = "pässwörd:with-colon";
const TOKEN = "tok-basic-suite-77c1";
const TRUSTED = "https://dashboard.example.test";
let sandbox: Sandbox;

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`, "utf8").toString("base64")}`;
const good = { authorization: basic(USER, PASS) };
const get = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(`${sandbox.url}${path}`, { ...init, headers });

beforeAll(async () => {
  sandbox = await startTestSandbox({
    uiAuth: { user: USER, pass: PASS },
    apiToken: TOKEN,
    cors: TRUSTED,
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe("basic auth", () => {
  it("challenges with both schemes, Basic first so browsers show their login dialog", async () => {
    const response = await get("/api/messages");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      'Basic realm="mailproof", charset="UTF-8", Bearer realm="mailproof"',
    );
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "UNAUTHORIZED",
    );
  });

  it("guards the UI's pages, not only the API", async () => {
    for (const path of ["/", "/index.html", "/messages/abc", "/favicon.svg"]) {
      expect((await get(path)).status, path).toBe(401);
    }
    expect([200, 503]).toContain((await get("/", good)).status);
  });

  it("accepts the right pair (UTF-8, a colon in the password) and the token", async () => {
    expect((await get("/api/messages", good)).status).toBe(200);
    expect((await get("/api/messages", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(
      (
        await get("/api/messages", {
          authorization: `bAsIc ${Buffer.from(`${USER}:${PASS}`).toString("base64")}`,
        })
      ).status,
    ).toBe(200);
  });

  it("refuses wrong, partial and malformed credentials with 401, never 500", async () => {
    const attempts = [
      basic(USER, "wrong"),
      basic("QA", PASS),
      basic(USER, PASS.slice(0, -1)),
      basic(`${USER}:${PASS}`, ""),
      `Basic ${Buffer.from(`${USER}${PASS}`).toString("base64")}`,
      "Basic !!!not-base64!!!",
      "Basic",
      `Basic ${"A".repeat(8_000)}`,
      `Bearer ${PASS}`,
    ];
    for (const authorization of attempts) {
      const response = await get("/api/messages", { authorization });
      expect(response.status, authorization.slice(0, 60)).toBe(401);
    }
  });

  it("reports both methods on GET /api/auth", async () => {
    const status = (await (await get("/api/auth", good)).json()) as {
      methods: string[];
      authenticated: boolean;
    };
    expect(status).toEqual({ required: true, methods: ["basic", "token"], authenticated: true });
  });

  it("refuses Basic-authenticated changes from a foreign page (browsers attach Basic by themselves)", async () => {
    const foreign = await get(
      "/api/messages?query=subject:nothing",
      { ...good, origin: "http://127.0.0.1:5173" },
      { method: "DELETE" },
    );
    expect(foreign.status).toBe(403);
    const same = await get(
      "/api/messages?query=subject:nothing",
      { ...good, origin: sandbox.url },
      { method: "DELETE" },
    );
    expect(same.status).toBe(200);
    // A foreign page is refused whatever it carries: only a client that is no page (no Origin) or
    // the --cors page may change things.
    const token = await get(
      "/api/messages?query=subject:nothing",
      { authorization: `Bearer ${TOKEN}`, origin: "http://127.0.0.1:5173" },
      { method: "DELETE" },
    );
    expect(token.status).toBe(403);
    const client = await get(
      "/api/messages?query=subject:nothing",
      { authorization: `Bearer ${TOKEN}` },
      { method: "DELETE" },
    );
    expect(client.status).toBe(200);
  });
});

describe("Mailpit clients", () => {
  it("work with Mailpit's own Basic auth option (mailpit-api), and fail without it", async () => {
    const client = new MailpitClient(sandbox.url, { auth: { username: USER, password: PASS } });
    expect(await client.getInfo()).toMatchObject({ Database: "sqlite" });
    await expect(new MailpitClient(sandbox.url).getInfo()).rejects.toThrow(/401/);
  });
});

describe("--cors", () => {
  it("answers the trusted origin's preflight without credentials", async () => {
    const response = await get(
      "/api/messages",
      {
        origin: TRUSTED,
        "access-control-request-method": "DELETE",
        "access-control-request-headers": "authorization",
      },
      { method: "OPTIONS" },
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(TRUSTED);
    expect(response.headers.get("access-control-allow-methods")).toContain("DELETE");
    expect(response.headers.get("access-control-allow-headers")).toContain("Authorization");
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("gives the trusted origin CORS headers on real answers, 401s included", async () => {
    const ok = await get("/api/messages", { ...good, origin: TRUSTED });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(TRUSTED);
    expect(ok.headers.get("access-control-allow-credentials")).toBe("true");
    const refused = await get("/api/messages", { origin: TRUSTED });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(TRUSTED);
    // Changes from the trusted page count with Basic too.
    expect(
      (
        await get(
          "/api/messages?query=subject:nothing",
          { ...good, origin: TRUSTED },
          { method: "DELETE" },
        )
      ).status,
    ).toBe(200);
  });

  it("gives any other origin no CORS headers at all, preflight included", async () => {
    for (const origin of [
      "https://evil.example.test",
      "https://dashboard.example.test.evil.test",
      "null",
    ]) {
      const preflight = await get(
        "/api/messages",
        { origin, "access-control-request-method": "DELETE" },
        { method: "OPTIONS" },
      );
      expect(preflight.status, origin).not.toBe(204);
      const real = await get("/api/messages", { ...good, origin });
      for (const response of [preflight, real]) {
        const cors = [...response.headers.keys()].filter((name) =>
          name.startsWith("access-control-"),
        );
        expect(cors, origin).toEqual([]);
      }
    }
  });
});
