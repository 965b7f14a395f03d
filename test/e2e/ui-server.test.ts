import { readdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { Hono } from "hono";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createUiHandler, uiCsp } from "../../src/api/ui.js";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/** How the HTTP port serves the built UI: headers, SPA fallback, and the paths it must leave alone. */

let sandbox: Sandbox;
const get = (path: string, init?: RequestInit) => fetch(`${sandbox.url}${path}`, init);
const rawGet = (path: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port: sandbox.httpPort, path }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.stop());

describe("serving the UI", () => {
  test("/ is the app, with a strict CSP and security headers", async () => {
    const response = await get("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe(uiCsp(new URL(sandbox.url).host));
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const html = await response.text();
    expect(html).toContain('<div id="app">');
    // Everything from this origin: no CDN, no web fonts.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  test("deep links get index.html so the app can route them", async () => {
    const index = await (await get("/")).text();
    for (const path of [
      "/messages/01ABC",
      "/messages/01ABC/source",
      "/faults",
      "/providers/sendgrid",
      "/anything?q=to:a",
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toBe(index);
    }
  });

  test("hashed assets are served once and cached for good; a missing one is a 404, not the app", async () => {
    const assets = readdirSync(new URL("../../ui/dist/assets/", import.meta.url));
    const script = assets.find((name) => name.endsWith(".js"))!;
    const response = await get(`/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toContain("immutable");
    const missing = await get("/assets/index-00000000.js");
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<div id="app">');
  });

  test("encoded traversal cannot leave ui/dist", async () => {
    // Sent raw: fetch() would normalise the dots away before they reach the server.
    for (const path of [
      "/assets/..%2f..%2f..%2fpackage.json",
      "/..%2f..%2fpackage.json",
      "/%2e%2e%2f%2e%2e%2fpackage.json",
      "/assets/%2e%2e/%2e%2e/package.json",
    ]) {
      const { status, body } = await rawGet(path);
      expect(status, path).toBe(404);
      expect(body, path).not.toContain('"name": "mailproof"');
    }
  });

  test("HEAD answers like GET without a body", async () => {
    const response = await get("/", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(uiCsp(new URL(sandbox.url).host));
    expect(await response.text()).toBe("");
  });

  test("the API and the provider prefixes are never answered with the app", async () => {
    const api = await get("/api/no-such-route");
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    for (const prefix of ["/sendgrid", "/mailgun", "/postmark", "/resend", "/ses"]) {
      const response = await get(`${prefix}/no-such-route-for-the-ui`);
      expect(await response.text(), prefix).not.toContain('<div id="app">');
    }
  });

  test("without a build, a page says how to build it (503), and the API is unaffected", async () => {
    const app = new Hono();
    app.get("/api/health", (c) => c.json({ status: "ok" }));
    app.get(
      "*",
      createUiHandler({ logger: pino({ level: "silent" }) }, { root: "/nonexistent/ui/dist" }),
    );
    const page = await app.request("/messages/1");
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("npm run build");
    expect((await app.request("/api/health")).status).toBe(200);
  });
});
