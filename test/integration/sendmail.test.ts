import { spawn } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { CLI } from "../helpers/cli.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.stop());

/** Pipes `input` into the sendmail command, as PHP's mail() or cron would. */
function pipe(
  args: string[],
  input: string,
  command = [CLI, "sendmail"],
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...command, ...args], {
      env: { ...process.env, MAILPROOF_SMTP_ADDR: `127.0.0.1:${sandbox.smtpPort}` },
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}

const latestTo = async (to: string) => {
  const { body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&timeout=5000`,
  );
  return body;
};

test("PHP mail() style: sendmail -t -i reads recipients from headers and strips Bcc", async () => {
  const input =
    "To: Ann <ann@sendmail.test>\nCc: cc@sendmail.test\nBcc: secret@sendmail.test\nFrom: app@php.test\nSubject: from php\n\nHello\n.\nstill the body\n";
  const result = await pipe(["-t", "-i"], input);
  expect(result).toEqual({ code: 0, stderr: "" });
  const message = await latestTo("secret@sendmail.test");
  expect(message.envelope).toMatchObject({
    mailFrom: "app@php.test",
    rcptTo: ["ann@sendmail.test", "cc@sendmail.test", "secret@sendmail.test"],
  });
  expect(message.headers.map((h: { name: string }) => h.name.toLowerCase())).not.toContain("bcc");
  expect(message.text).toBe("Hello\n.\nstill the body\n");
});

test("recipients as arguments, -f sender, and a lone dot ending the message without -i", async () => {
  const result = await pipe(
    ["-fbounces@cron.test", "-oem", "cron@sendmail.test"],
    "Subject: cron output\n\nline one\n.\nignored after the dot\n",
  );
  expect(result.code).toBe(0);
  const message = await latestTo("cron@sendmail.test");
  expect(message.envelope.mailFrom).toBe("bounces@cron.test");
  expect(message.subject).toBe("cron output");
  expect(message.from.address).toBe("bounces@cron.test");
  expect(message.text).toBe("line one\n");
});

test("invoked through a symlink named sendmail", async () => {
  const link = join(mkdtempSync(join(tmpdir(), "mailproof-sendmail-")), "sendmail");
  symlinkSync(CLI, link);
  const result = await pipe(["-t"], "To: linked@sendmail.test\nSubject: via symlink\n\nhi\n", [
    link,
  ]);
  expect(result.code).toBe(0);
  expect((await latestTo("linked@sendmail.test")).subject).toBe("via symlink");
});

test("errors: no recipients (65), unknown option (64), sandbox not reachable (75)", async () => {
  expect((await pipe([], "Subject: nobody\n\nx\n")).code).toBe(65);
  expect((await pipe(["--frobnicate"], "x")).code).toBe(64);
  const down = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [
      CLI,
      "sendmail",
      "--smtp-addr",
      "127.0.0.1:1",
      "x@sendmail.test",
    ]);
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (code) => resolve({ code, stderr }));
    child.stdin.end("Subject: x\n\nx\n");
  });
  expect(down.code).toBe(75);
  expect(down.stderr).toContain("ECONNREFUSED");
});
