import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";
import { connectSmtp } from "../helpers/raw-smtp.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * A store that cannot work says so: a corrupt SQLite file stops the start with one line naming
 * it (exit 2), and a full disk answers 507 (HTTP) and 452 4.3.1 (SMTP) instead of a 500.
 */

const dir = mkdtempSync(join(tmpdir(), "mailproof-limits-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real database with some messages in it, closed cleanly. */
async function realDatabase(name: string, messages: number): Promise<string> {
  const path = join(dir, name);
  const sandbox = await startTestSandbox({ db: path });
  for (let i = 0; i < messages; i++) {
    const upload = await api(sandbox, "/api/messages?to=store@limits.test", {
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: `Subject: message ${i}\r\n\r\n${"body text ".repeat(2000)}\r\n`,
    });
    expect(upload.status).toBe(201);
  }
  await sandbox.stop();
  return path;
}

const serve = (db: string) =>
  runCli(["--db", db, "--smtp-port", "0", "--http-port", "0"], {
    MAILPROOF_LOG_LEVEL: "warn",
    MAILPROOF_DNS: "zone",
  });

describe("a corrupt database is refused at start", () => {
  test("a file of garbage: one line naming the file, exit 2", async () => {
    const path = join(dir, "garbage.db");
    writeFileSync(path, Buffer.alloc(64 * 1024, "this is not sqlite "));
    const { code, stdout, stderr } = await serve(path);
    expect(code, stderr).toBe(2);
    expect(stdout).not.toContain("listening");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(path);
    expect(stderr).toContain("not a usable SQLite database");
  });

  test("a truncated real database: one line naming the file, exit 2", async () => {
    const path = await realDatabase("truncated.db", 20);
    expect(existsSync(`${path}-wal`)).toBe(false);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const { code, stderr } = await serve(path);
    expect(code, stderr).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(path);
  });

  test("an intact database starts", async () => {
    const path = await realDatabase("intact.db", 2);
    const sandbox = await startTestSandbox({ db: path });
    expect((await api(sandbox, "/api/messages")).body.total).toBe(2);
    await sandbox.stop();
  });
});

/**
 * The sandbox under a file size limit (`ulimit -f`, RLIMIT_FSIZE) below its database's size:
 * reads work, and every write fails as on a full disk or an exhausted quota. No privileges are
 * needed, unlike a small filesystem; SQLite opens its WAL with O_NOFOLLOW, so /dev/full cannot
 * stand in for it.
 */
function serveWithFileSizeLimit(
  db: string,
  kib: number,
): Promise<{ url: string; smtpPort: number; stop(): void }> {
  const child = spawn(
    "bash",
    [
      "-c",
      `ulimit -f ${kib}; exec "$0" "$@"`,
      process.execPath,
      CLI,
      "--db",
      db,
      "--smtp-port",
      "0",
      "--http-port",
      "0",
    ],
    {
      env: { ...process.env, MAILPROOF_LOG_LEVEL: "error", MAILPROOF_DNS: "zone" },
    },
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`mailproof exited with ${code}: ${err}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const http = /http listening on (http:\/\/[^\s]+)/.exec(out);
      const smtp = /smtp listening on [^\n]*:(\d+)\n/.exec(out);
      if (http && smtp)
        resolve({ url: http[1], smtpPort: Number(smtp[1]), stop: () => child.kill("SIGKILL") });
    });
  });
}

describe("a full disk", () => {
  test("DELETE answers 507 with a JSON error, SMTP 452 4.3.1, and reads keep working", async () => {
    const path = await realDatabase("full.db", 3);
    // Room for SQLite's 32 KiB shared-memory index and a few WAL frames, not for a delete of everything.
    const server = await serveWithFileSizeLimit(path, 34);
    try {
      const list = (await (await fetch(`${server.url}/api/messages`)).json()) as {
        total: number;
        messages: Array<{ id: string }>;
      };
      expect(list.total).toBe(3);

      const deleteAll = await fetch(`${server.url}/api/messages`, { method: "DELETE" });
      const body = (await deleteAll.json()) as { error: { code: string; message: string } };
      expect(deleteAll.status, JSON.stringify(body)).toBe(507);
      expect(body.error.code).toBe("STORAGE_FULL");
      expect(body.error.message).toMatch(/cannot write .* disk is full/);

      const smtp = await connectSmtp(server.smtpPort);
      await smtp.command("EHLO full.test");
      const reply = await smtp.send(
        "a@full.test",
        ["b@full.test"],
        Buffer.from(`Subject: no room\r\n\r\n${"x".repeat(100_000)}\r\n`),
      );
      expect(reply.code, reply.text).toBe(452);
      expect(reply.text).toContain("4.3.1");
      smtp.close();

      expect((await fetch(`${server.url}/api/messages/${list.messages[0].id}`)).status).toBe(200);
      expect(
        ((await (await fetch(`${server.url}/api/messages`)).json()) as { total: number }).total,
      ).toBe(3);
    } finally {
      server.stop();
    }
  });
});
