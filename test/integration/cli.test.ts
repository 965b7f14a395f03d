import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import net from "node:net";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterEach, describe, expect, test } from "vitest";
import { runCli, startCli, type RunningCli } from "../helpers/cli.js";

const running: RunningCli[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop("SIGKILL")));
});

async function start(args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const cli = await startCli(args, env);
  running.push(cli);
  return cli;
}

function send(cli: RunningCli, to: string, subject = "cli test") {
  return nodemailer
    .createTransport({ host: "127.0.0.1", port: cli.smtpPort, ignoreTLS: true })
    .sendMail({ from: "cli@example.test", to, subject, text: "hi" });
}

async function json(cli: RunningCli, path: string) {
  return (await fetch(`${cli.url}${path}`)).json();
}

const dir = () => mkdtempSync(join(tmpdir(), "mailproof-cli-"));

describe("mailproof serve", () => {
  test("prints one listening line per listener and binds loopback by default", async () => {
    const cli = await start(["--smtps-port", "0", "--pop3-port", "0"]);
    expect(cli.stdout()).toMatch(
      /^smtp listening on 127\.0\.0\.1:\d+\nsmtps listening on 127\.0\.0\.1:\d+\npop3 listening on 127\.0\.0\.1:\d+\nhttp listening on http:\/\/127\.0\.0\.1:\d+\n$/,
    );
    const health = await json(cli, "/api/health");
    expect(health).toMatchObject({
      status: "ok",
      messages: 0,
      smtpPort: cli.smtpPort,
      httpPort: cli.httpPort,
    });
  });

  test("--db persists messages across a restart", async () => {
    const db = join(dir(), "mail.db");
    const first = await start(["--db", db]);
    await send(first, "persist@example.test", "survives restart");
    expect(await first.stop("SIGTERM")).toBe(0);
    const second = await start(["--db", db]);
    const list = await json(second, "/api/messages");
    expect(list.messages.map((m: { subject: string }) => m.subject)).toEqual(["survives restart"]);
  });

  test("the default database is temporary and removed on exit", async () => {
    const tmp = dir();
    const cli = await start([], { TMPDIR: tmp });
    await send(cli, "temp@example.test");
    const created = (await import("node:fs"))
      .readdirSync(tmp)
      .filter((f) => f.startsWith("mailproof-"));
    expect(created).toHaveLength(1);
    expect(await cli.stop("SIGINT")).toBe(0);
    expect(existsSync(join(tmp, created[0]))).toBe(false);
  });

  test("--max-messages keeps only the newest", async () => {
    const cli = await start(["--max-messages", "3"]);
    for (let i = 0; i < 6; i++) await send(cli, `r${i}@example.test`, `n${i}`);
    await expect.poll(async () => (await json(cli, "/api/messages")).total).toBe(3);
    const list = await json(cli, "/api/messages");
    expect(list.messages.map((m: { subject: string }) => m.subject)).toEqual(["n5", "n4", "n3"]);
  });

  test("options come from MAILPROOF_* variables and a --config file, flags win", async () => {
    const config = join(dir(), "mailproof.json");
    writeFileSync(config, JSON.stringify({ maxSize: "1KiB", smtpAuth: "file:secret" }));
    const cli = await start(["--config", config], { MAILPROOF_SMTP_AUTH: "env:secret" });
    const transport = (user: string, pass: string) =>
      nodemailer.createTransport({
        host: "127.0.0.1",
        port: cli.smtpPort,
        ignoreTLS: true,
        auth: { user, pass },
      });
    await expect(
      transport("file", "secret").sendMail({ from: "a@x.test", to: "b@x.test", text: "x" }),
    ).rejects.toMatchObject({ responseCode: 535 });
    await transport("env", "secret").sendMail({ from: "a@x.test", to: "b@x.test", text: "small" });
    await expect(
      transport("env", "secret").sendMail({
        from: "a@x.test",
        to: "b@x.test",
        text: "y".repeat(4000),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
  });

  test("invalid options exit 2 with a clear message", async () => {
    const result = await runCli(["--smtp-port", "seventy"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--smtp-port must be a port number");
    const unknown = await runCli(["--no-such-flag"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("no-such-flag");
  });

  test("a port already in use fails the start with one line naming the listener and the flag", async () => {
    const cli = await start();
    const result = await runCli(["--smtp-port", "0", "--http-port", String(cli.httpPort)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `mailproof: http cannot listen on 127.0.0.1:${cli.httpPort}: the port is in use; choose another port with --http-port (0 picks a free one)\n`,
    );
  });

  test("SIGTERM lets a message already in DATA finish, then exits", async () => {
    const db = join(dir(), "inflight.db");
    const cli = await start(["--db", db]);
    const socket = net.connect(cli.smtpPort, "127.0.0.1");
    let replies = "";
    socket.on("data", (d) => (replies += d.toString()));
    const until = (pattern: RegExp) =>
      expect.poll(() => replies, { timeout: 5000 }).toMatch(pattern);
    await until(/^220 /);
    socket.write("EHLO inflight.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n");
    await until(/354 /);
    socket.write("Subject: in flight\r\n\r\nfirst half\r\n");
    const exit = cli.stop("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    socket.write("second half\r\n.\r\nQUIT\r\n");
    await until(/250 2\.6\.0 Ok: queued as/);
    socket.destroy();
    expect(await exit).toBe(0);
    const again = await start(["--db", db]);
    const [summary] = (await json(again, "/api/messages")).messages;
    expect(summary.subject).toBe("in flight");
    expect((await json(again, `/api/messages/${summary.id}`)).text).toBe(
      "first half\nsecond half\n",
    );
  });
});

describe("analysis worker threads", () => {
  test("the built server analyses on workers, which follow PUT /api/dns", async () => {
    const cli = await start(["--analysis-workers", "2", "--spf-ip", "192.0.2.77"]);
    const zone = (spf: string | null) => ({
      "workers.test": spf
        ? { TXT: [[spf]] }
        : { MX: [{ exchange: "mx.workers.test", priority: 10 }] },
    });
    const putZone = (z: object) =>
      fetch(`${cli.url}/api/dns`, {
        method: "PUT",
        body: JSON.stringify(z),
        headers: { "content-type": "application/json" },
      });
    const spfOf = async (to: string) => {
      await nodemailer
        .createTransport({ host: "127.0.0.1", port: cli.smtpPort, ignoreTLS: true })
        .sendMail({ from: "app@workers.test", to, subject: "spf", text: "x" });
      const message = await json(
        cli,
        `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=2020-01-01&timeout=10000`,
      );
      return message.analysis.auth.spf.result;
    };
    expect((await putZone(zone("v=spf1 ip4:192.0.2.77 -all"))).status).toBe(200);
    expect(await spfOf("first@workers.test")).toBe("pass");
    expect((await putZone(zone("v=spf1 ip4:198.51.100.1 -all"))).status).toBe(200);
    expect(await spfOf("second@workers.test")).toBe("fail");
    expect((await putZone(zone(null))).status).toBe(200);
    expect(await spfOf("third@workers.test")).toBe("none");
  });

  test.runIf(process.platform === "linux")(
    "analysis threads run at the lowest CPU priority, capture at the normal one",
    async () => {
      const cli = await start(["--analysis-workers", "2"]);
      const pid = cli.child.pid!;
      // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value; the command name before it may hold spaces.
      const niceOf = (tid: string) =>
        Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1].split(" ")[16]);
      const lowered = () => readdirSync(`/proc/${pid}/task`).filter((tid) => niceOf(tid) === 19);
      // Each worker lowers itself once its modules have loaded.
      await expect.poll(lowered, { timeout: 10_000 }).toHaveLength(2);
      expect(niceOf(String(pid))).toBe(0);
      await send(cli, "nice@example.test");
      const message = await json(
        cli,
        `/api/wait?query=${encodeURIComponent("to:nice@example.test")}&after=2020-01-01&timeout=10000`,
      );
      expect(message.analysis.status).toBe("done");
    },
  );
});

describe("mailproof send", () => {
  test("sends through STARTTLS with AUTH and prints the server's replies", async () => {
    const cli = await start();
    const file = join(dir(), "note.txt");
    writeFileSync(file, "attached note");
    const result = await runCli([
      "send",
      "--port",
      String(cli.smtpPort),
      "--to",
      "one@example.test,two@example.test",
      "--from",
      "me@example.test",
      "--subject",
      "from the cli",
      "--user",
      "u",
      "--pass",
      "p",
      "--attach",
      file,
      "--header",
      "X-Test: yes",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("S: 220 2.0.0 Ready to start TLS");
    expect(result.stdout).toContain("S: 235 2.7.0 Authentication successful");
    expect(result.stdout).toMatch(/S: 250 2\.6\.0 Ok: queued as [0-9A-Z]{26}/);
    expect(result.stdout).toContain("accepted: one@example.test, two@example.test");
    const [message] = (await json(cli, "/api/messages")).messages;
    const full = await json(cli, `/api/messages/${message.id}`);
    expect(full).toMatchObject({
      subject: "from the cli",
      envelope: { authUser: "u", secure: true },
    });
    expect(full.attachments[0].filename).toBe("note.txt");
    expect(full.headers).toContainEqual({ name: "X-Test", value: "yes" });
  });

  test("exits 1 and prints the reply when the server refuses", async () => {
    const cli = await start(["--smtp-auth", "only:this"]);
    const result = await runCli([
      "send",
      "--port",
      String(cli.smtpPort),
      "--to",
      "x@example.test",
      "--user",
      "only",
      "--pass",
      "wrong",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("535");
  });
});
