import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, inProcess, startTestSandbox, type InProcess } from "../helpers/sandbox.js";

/**
 * Attachments carry the sender's bytes under the sender's Content-Type: served back, they must
 * neither break the answer (a control character) nor run on our origin (script, HTML, SVG).
 */
let sandbox: Sandbox;
/** Every request here is a request/response check: in process. */
let app: InProcess;
let messageId: string;
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

const part = (type: string, name: string, body: string, encoding = "7bit") =>
  [
    `--b`,
    `Content-Type: ${type}`,
    `Content-Transfer-Encoding: ${encoding}`,
    `Content-Disposition: attachment; filename="${name}"`,
    "",
    body,
  ].join("\r\n");

beforeAll(async () => {
  sandbox = await startTestSandbox();
  app = inProcess(sandbox);
  const raw = [
    "From: app@example.test",
    "To: files@attachments.test",
    "Subject: attachments served",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    "see attached",
    part("application/javascript", "evil.js", "window.__pwned = 'attachment script';"),
    part(
      "image/svg+xml",
      "evil.svg",
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    part("text/html", "page.html", "<script>alert(1)</script>"),
    part("application/pdf\u0001\u0007", "control.pdf", "%PDF-1.4"),
    part("image/png", "pixel.png", PNG, "base64"),
    part("application/pdf", "invoice.pdf", "%PDF-1.4"),
    "--b--",
    "",
  ].join("\r\n");
  const created = await api(app, "/api/messages", {
    method: "POST",
    body: raw,
    headers: { "content-type": "message/rfc822" },
  });
  expect(created.status).toBe(201);
  messageId = created.body.id;
});
afterAll(async () => {
  await sandbox?.stop();
});

const routes: Array<[string, (id: string) => string]> = [
  ["native", (id) => `/api/messages/${messageId}/attachments/${id}`],
  ["Mailpit", (id) => `/api/v1/message/${messageId}/part/${id}`],
];

async function served(name: string, path: (id: string) => string) {
  const { body } = await api(app, `/api/messages/${messageId}`);
  const attachment = body.attachments.find((a: { filename: string }) => a.filename === name);
  expect(attachment, name).toBeDefined();
  const response = await app.request(path(attachment.id));
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe.each(routes)("%s attachment route", (_label, path) => {
  it.each(["evil.js", "evil.svg", "page.html"])(
    "serves %s as a download of plain bytes, never as its script-ish type",
    async (name) => {
      const { response } = await served(name, path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/octet-stream");
      expect(response.headers.get("content-disposition")).toMatch(/^attachment;/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    },
  );

  it("answers an attachment whose Content-Type holds control characters (no 500)", async () => {
    const { response, bytes } = await served("control.pdf", path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(bytes.toString()).toBe("%PDF-1.4");
  });

  it("serves a document a browser never runs under its own type, as a download", async () => {
    const { response } = await served("invoice.pdf", path);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment;/);
  });

  it("serves a raster image under its own type, inline, for thumbnails and cid: images", async () => {
    const { response, bytes } = await served("pixel.png", path);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-disposition")).toMatch(/^inline;/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(bytes.subarray(1, 4).toString()).toBe("PNG");
  });
});

it("serves the raw message as a download under a safe name, and never renders it with script", async () => {
  const response = await app.request(`/api/messages/${messageId}/raw?download`);
  expect(response.headers.get("content-type")).toBe("message/rfc822");
  expect(response.headers.get("content-disposition")).toBe(
    `attachment; filename="${messageId}.eml"; filename*=UTF-8''${messageId}.eml`,
  );
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("content-security-policy")).toMatch(/default-src 'none'.*sandbox/);
});
