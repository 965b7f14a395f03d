import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** API errors that tell a person what to do instead. */
const run = promisify(execFile);
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.stop());

const eml = (to: string, subject: string) =>
  `From: app@example.test\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\nHello\r\nsecond line\r\n`;
const dir = mkdtempSync(join(tmpdir(), "mailproof-api-errors-"));

/** curl with its own multipart and form encodings, as a person would type it. */
async function curl(
  ...args: string[]
): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
  const { stdout } = await run("curl", ["-s", "-w", "\n%{http_code}", ...args]);
  const lines = stdout.trimEnd().split("\n");
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join("\n")) };
}

describe("POST /api/messages", () => {
  test("a multipart upload (curl -F) is a 415 saying how to send the raw message, and nothing is stored", async () => {
    const file = join(dir, "m.eml");
    writeFileSync(file, eml("multipart@example.test", "multipart upload"));
    const before = (await api(sandbox, "/api/messages")).body.total;
    const { status, body } = await curl("-F", `file=@${file}`, `${sandbox.url}/api/messages`);
    expect(status).toBe(415);
    expect(body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(body.error.message).toContain(
      `--data-binary @m.eml -H 'Content-Type: message/rfc822' ${sandbox.url}/api/messages`,
    );
    expect((await api(sandbox, "/api/messages")).body.total).toBe(before);
  });

  test("curl -d, which strips the line breaks, is a 415 too; --data-binary stores the message", async () => {
    const file = join(dir, "d.eml");
    writeFileSync(file, eml("form@example.test", "form upload"));
    const stripped = await curl("-d", `@${file}`, `${sandbox.url}/api/messages`);
    expect(stripped.status).toBe(415);
    expect(stripped.body.error.message).toContain("--data-binary");
    const kept = await curl(
      "--data-binary",
      `@${file}`,
      "-H",
      "Content-Type: message/rfc822",
      `${sandbox.url}/api/messages`,
    );
    expect(kept.status).toBe(201);
    expect(
      (await api(sandbox, `/api/messages/${(kept.body as unknown as { id: string }).id}`)).body,
    ).toMatchObject({ subject: "form upload", text: "Hello\nsecond line\n" });
  });
});

describe("GET /api/wait", () => {
  test("a 408 names a matching message that arrived before the wait started, and how to use after=", async () => {
    const created = await api(sandbox, "/api/messages", {
      method: "POST",
      body: eml("early@example.test", "too early"),
      headers: { "content-type": "message/rfc822" },
    });
    const { receivedAt } = (await api(sandbox, `/api/messages/${created.body.id}`)).body;
    const timedOut = await api(
      sandbox,
      `/api/wait?query=${encodeURIComponent("to:early@example.test")}&timeout=200`,
    );
    expect(timedOut.status).toBe(408);
    const { message } = timedOut.body.error;
    expect(message).toContain(
      `a matching message arrived before the wait started: ${created.body.id} at ${receivedAt}`,
    );
    const suggested = /after=(\S+?)[ ;)]/.exec(message)?.[1] as string;
    expect(suggested).toBe(new Date(Date.parse(receivedAt) - 1).toISOString());
    // The suggestion works as written.
    const found = await api(
      sandbox,
      `/api/wait?query=${encodeURIComponent("to:early@example.test")}&after=${suggested}&timeout=2000`,
    );
    expect(found.status).toBe(200);
    expect(found.body.id).toBe(created.body.id);
  });

  test("a 408 with no earlier match says so", async () => {
    const timedOut = await api(
      sandbox,
      `/api/wait?query=${encodeURIComponent("to:never@example.test")}&timeout=100`,
    );
    expect(timedOut.status).toBe(408);
    expect(timedOut.body.error.message).toBe(
      'no message matching "to:never@example.test" arrived within 100 ms, nor before the wait started',
    );
  });
});
