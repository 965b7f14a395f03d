import { spawn } from "node:child_process";
import nodemailer from "nodemailer";
import { afterEach, describe, expect, test } from "vitest";
import { CLI, startCli, type RunningCli } from "../helpers/cli.js";

const running: RunningCli[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop("SIGKILL")));
});

const send = (smtpPort: number, subject: string) =>
  nodemailer.createTransport({ host: "127.0.0.1", port: smtpPort, ignoreTLS: true }).sendMail({
    from: "app@example.test",
    to: ["ada@example.test", "bob@example.test", "cy@example.test"],
    subject,
    text: "hi",
  });

async function capturedLine(cli: RunningCli, subject: string): Promise<string> {
  await send(cli.smtpPort, subject);
  await expect.poll(() => cli.stderr(), { timeout: 10_000 }).toContain("message captured");
  return cli
    .stderr()
    .split("\n")
    .find((line) => line.includes("message captured")) as string;
}

describe("logs", () => {
  test("piped stderr gets one JSON object per line; the per-message line is short", async () => {
    const cli = await startCli([], { MAILPROOF_LOG_LEVEL: "info" });
    running.push(cli);
    const line = await capturedLine(cli, `Reset your password ${"x".repeat(200)}`);
    const entry = JSON.parse(line);
    expect(entry).toMatchObject({
      level: 30,
      msg: "message captured",
      source: "smtp",
      from: "app@example.test",
      to: "ada@example.test +2",
    });
    expect(entry.subject).toHaveLength(80);
    expect(line.length).toBeLessThan(400);
  });

  test("--log-format pretty prints one readable line per event", async () => {
    const cli = await startCli(["--log-format", "pretty"], { MAILPROOF_LOG_LEVEL: "info" });
    running.push(cli);
    const line = await capturedLine(cli, "Welcome aboard");
    expect(line).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: message captured \{.*"to":"ada@example\.test \+2".*"subject":"Welcome aboard"/,
    );
    expect(cli.stderr()).not.toMatch(/^\{"level"/m);
  });

  test.runIf(process.platform === "linux")("on a terminal the default is pretty", async () => {
    // script(1) gives the server a pseudo-terminal for stdout and stderr.
    const command = [process.execPath, CLI, "--smtp-port", "0", "--http-port", "0"]
      .map((a) => `'${a}'`)
      .join(" ");
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      env: { ...process.env, MAILPROOF_LOG_LEVEL: "info", MAILPROOF_DNS: "zone" },
      detached: true,
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    try {
      await expect.poll(() => out, { timeout: 15_000 }).toMatch(/smtp listening on [^\n]*:(\d+)/);
      await send(Number(/smtp listening on [^\n]*:(\d+)/.exec(out)?.[1]), "On a terminal");
      await expect.poll(() => out, { timeout: 10_000 }).toContain("message captured");
      // eslint-disable-next-line no-control-regex
      const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
      expect(plain).toMatch(
        /\[\d\d:\d\d:\d\d\.\d{3}\] INFO: message captured \{.*"subject":"On a terminal"/,
      );
      expect(plain).not.toContain('"level":30');
    } finally {
      process.kill(-(child.pid as number), "SIGKILL");
    }
  });
});
