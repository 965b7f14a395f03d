import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, inProcess, startTestSandbox, type InProcess } from "../helpers/sandbox.js";

/**
 * Sender-chosen attachment names reach the Content-Disposition of the native attachment route
 * and of Mailpit's part route. Each hostile name below is declared the way a real message would
 * carry it (quoted-string or RFC 2231 percent-encoding) and must come out harmless.
 */
const HOSTILE: Array<{ label: string; param: string; expected?: string }> = [
  { label: "quote breaking out of the parameter", param: 'filename="evil\\"; filename=\\"x.html"' },
  {
    label: "CRLF header injection",
    param: "filename*=UTF-8''report%0D%0ASet-Cookie%3A%20pwned%3D1.txt",
  },
  { label: "unix path traversal", param: 'filename="../../etc/passwd"' },
  { label: "windows path traversal", param: "filename*=UTF-8''..%5C..%5Cwindows%5Cwin.ini" },
  { label: "absolute path", param: 'filename="/root/.ssh/authorized_keys"' },
  {
    label: "right-to-left override disguising .exe",
    param: "filename*=UTF-8''invoice%E2%80%AEfdp.exe",
  },
  { label: "NUL and tab", param: "filename*=UTF-8''a%00b%09c.txt" },
  { label: "hidden dot file", param: 'filename=".bashrc"' },
  { label: "only dots", param: 'filename=".."' },
  { label: "very long name", param: `filename="${"a".repeat(600)}.txt"` },
  {
    label: "readable unicode stays readable",
    param: "filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC%20(1).pdf",
    expected: "résumé 日本 (1).pdf",
  },
];

let sandbox: Sandbox;
/** Every request here is a request/response check: in process. */
let app: InProcess;
let messageId: string;
let attachments: Array<{ id: string; filename: string | null }>;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  app = inProcess(sandbox);
  const parts = HOSTILE.flatMap(({ param }, i) => [
    "--b",
    "Content-Type: application/octet-stream",
    `Content-Disposition: attachment; ${param}`,
    "",
    `part ${i}`,
  ]);
  const raw = [
    "From: a@example.test",
    "To: names@security.test",
    "Subject: hostile names",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    "body",
    ...parts,
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
  attachments = (await api(app, `/api/messages/${messageId}`)).body.attachments;
  expect(attachments).toHaveLength(HOSTILE.length);
});
afterAll(async () => {
  await sandbox?.stop();
});

/** RFC 6266: the plain `filename="…"` and the RFC 8187 `filename*=UTF-8''…` forms. */
function parse(disposition: string): { plain: string; extended: string | null } {
  const plain = /filename="([^"]*)"/.exec(disposition);
  const extended = /filename\*=UTF-8''([^;\s]*)/.exec(disposition);
  expect(plain, disposition).not.toBeNull();
  return { plain: plain![1], extended: extended ? decodeURIComponent(extended[1]) : null };
}

function expectHarmless(name: string, label: string) {
  // eslint-disable-next-line no-control-regex -- control characters are what a safe filename must not hold
  expect(name, label).not.toMatch(/[\u0000-\u001f\u007f"\\/]/u);
  expect(name, label).not.toMatch(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u);
  expect(name, label).not.toMatch(/^\./);
  expect(name.length, label).toBeGreaterThan(0);
  expect([...name].length, label).toBeLessThanOrEqual(200);
}

describe.each([
  ["native", (id: string) => `/api/messages/${messageId}/attachments/${id}`],
  ["Mailpit", (id: string) => `/api/v1/message/${messageId}/part/${id}`],
])("%s attachment route", (_name, pathOf) => {
  it.each(HOSTILE.map((h, i) => [h.label, i] as const))("%s", async (label, i) => {
    const attachment = attachments[i];
    const response = await app.request(pathOf(attachment.id));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`part ${i}`);
    // One header, one disposition: nothing smuggled in after a CRLF.
    expect(response.headers.get("set-cookie")).toBeNull();
    const disposition = response.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(
      /^attachment; filename="[^"]*"; filename\*=UTF-8''[A-Za-z0-9%!#$&+\-.^_`|~]*$/,
    );
    const { plain, extended } = parse(disposition);
    expect(plain, label).toMatch(/^[\w.\- ]+$/);
    expectHarmless(plain, label);
    expectHarmless(extended ?? "", label);
    const expected = HOSTILE[i].expected;
    if (expected) expect(extended).toBe(expected);
  });
});

it("keeps the sender's names untouched in the message JSON (the data, not a file name)", () => {
  expect(attachments[1].filename).toBe("report\r\nSet-Cookie: pwned=1.txt");
  expect(attachments[5].filename).toBe("invoice\u202Efdp.exe");
  expect(attachments[2].filename).toBe("../../etc/passwd");
  expect(attachments[HOSTILE.length - 1].filename).toBe("résumé 日本 (1).pdf");
});
