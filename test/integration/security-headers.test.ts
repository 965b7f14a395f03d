import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uiCsp } from "../../src/api/ui.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** A default sandbox (no auth, no --cors): security headers everywhere, CORS nowhere. */
let sandbox: Sandbox;
let messageId: string;

const HTML = "<html><body><script>parent.stolen = document.cookie</script><p>hi</p></body></html>";
const message = [
  "From: app@example.test",
  "To: headers@security.test",
  "Subject: headers",
  "Message-ID: <headers@security.test>",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b"',
  "",
  "--b",
  "Content-Type: text/html; charset=utf-8",
  "",
  HTML,
  "--b",
  "Content-Type: text/html",
  'Content-Disposition: attachment; filename="page.html"',
  "",
  HTML,
  "--b--",
  "",
].join("\r\n");

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const { status, body } = await api(sandbox, "/api/messages", {
    method: "POST",
    body: message,
    headers: { "content-type": "message/rfc822" },
  });
  expect(status).toBe(201);
  messageId = body.id;
});
afterAll(async () => {
  await sandbox?.stop();
});

const API_PATHS = [
  "/api/messages",
  "/api/messages/MSG",
  "/api/messages/MSG/raw",
  "/api/messages/no-such-id",
  "/api/health",
  "/api/openapi.json",
  "/api/wait?timeout=1&after=0",
  "/api/no-such-route",
  "/api/v1/messages",
  "/api/v2/messages",
];

describe("security headers", () => {
  it.each(API_PATHS)("GET %s: nosniff, no-referrer, no framing, a deny-all CSP", async (path) => {
    const response = await fetch(`${sandbox.url}${path.replace("MSG", messageId)}`);
    await response.body?.cancel();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toMatch(
      /^default-src 'none'; frame-ancestors 'none'/,
    );
  });

  it("on error answers of every method, and on the SSE stream", async () => {
    const del = await fetch(`${sandbox.url}/api/messages/no-such-id`, { method: "DELETE" });
    expect(del.status).toBe(404);
    expect(del.headers.get("x-content-type-options")).toBe("nosniff");
    const bad = await fetch(`${sandbox.url}/api/messages?limit=abc`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-frame-options")).toBe("DENY");
    const controller = new AbortController();
    const events = await fetch(`${sandbox.url}/api/events`, { signal: controller.signal });
    expect(events.headers.get("x-content-type-options")).toBe("nosniff");
    expect(events.headers.get("content-security-policy")).toContain("default-src 'none'");
    controller.abort();
  });

  it("keeps the UI's own CSP instead of overwriting it", async () => {
    const response = await fetch(`${sandbox.url}/`);
    await response.body?.cancel();
    expect([200, 503]).toContain(response.status);
    expect(response.headers.get("content-security-policy")).toBe(uiCsp(new URL(sandbox.url).host));
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("keeps Mailpit's /view sandbox policy: captured HTML never runs script on our origin", async () => {
    const response = await fetch(`${sandbox.url}/view/${messageId}.html`);
    expect(await response.text()).toContain("<script>");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("sandbox");
    expect(csp).toContain("default-src 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("serves an HTML attachment as a download that cannot render or run here", async () => {
    const { body } = await api(sandbox, `/api/messages/${messageId}`);
    const attachment = body.attachments.find(
      (a: { filename: string }) => a.filename === "page.html",
    );
    const response = await fetch(
      `${sandbox.url}/api/messages/${messageId}/attachments/${attachment.id}`,
    );
    await response.body?.cancel();
    expect(response.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("leaves the provider mocks' answers as the real provider sends them", async () => {
    const response = await fetch(`${sandbox.url}/sendgrid/v3/mail/send`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    await response.body?.cancel();
    expect(response.status).toBe(401);
    expect(response.headers.get("content-security-policy")).toBeNull();
    expect(response.headers.get("x-frame-options")).toBeNull();
  });
});

describe("no CORS without --cors", () => {
  const corsHeaders = (response: Response) =>
    [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));

  it.each([
    "/api/messages",
    "/api/health",
    "/api/v1/messages",
    "/api/events",
    "/",
    "/sendgrid/v3/mail/send",
  ])("%s sends no Access-Control-* header to any origin", async (path) => {
    for (const origin of ["http://127.0.0.1:3000", "https://evil.example.test", "null"]) {
      const controller = new AbortController();
      const response = await fetch(`${sandbox.url}${path}`, {
        headers: { origin },
        signal: controller.signal,
      });
      expect(corsHeaders(response), `${path} from ${origin}`).toEqual([]);
      controller.abort();
    }
  });

  it("answers no preflight", async () => {
    const response = await fetch(`${sandbox.url}/api/messages`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.test", "access-control-request-method": "DELETE" },
    });
    await response.body?.cancel();
    expect(response.status).not.toBe(204);
    expect(corsHeaders(response)).toEqual([]);
  });
});
