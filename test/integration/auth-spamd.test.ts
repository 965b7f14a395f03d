import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSpamAnalyzer } from "../../src/analysis/spam/index.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** Debian ships spamd in the `spamd` package (a Recommends of `spamassassin`); .ci/run installs both. */
const hasSpamd = spawnSync("spamd", ["--version"]).status === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** spamd answers PING with PONG once its rules are loaded (SPAMC protocol). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    socket.on("connect", () => socket.end("PING SPAMC/1.5\r\n\r\n"));
    socket.on("data", (chunk) => (reply += chunk.toString()));
    socket.on("close", () => resolve(/PONG/.test(reply)));
    socket.on("error", () => resolve(false));
  });
}

let spamd: ChildProcess | undefined;
let spamdPort = 0;
let sandbox: Sandbox | undefined;
let workDir = "";

beforeAll(async () => {
  if (!hasSpamd) return;
  workDir = mkdtempSync(join(tmpdir(), "mailproof-spamd-"));
  spamdPort = await freePort();
  // --local: no network tests (DNSBLs, Razor), so scores are deterministic and nothing leaves loopback.
  spamd = spawn(
    "spamd",
    [
      `--listen=127.0.0.1:${spamdPort}`,
      "--local",
      "--max-children=1",
      "--nouser-config",
      "--syslog=stderr",
      `--pidfile=${join(workDir, "spamd.pid")}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  spamd.stderr!.on("data", (chunk) => (log = (log + chunk.toString()).slice(-4000)));
  const deadline = Date.now() + 55_000;
  while (!(await ping(spamdPort))) {
    if (spamd.exitCode !== null || Date.now() > deadline)
      throw new Error(`spamd did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  sandbox = await startTestSandbox({ spamd: `127.0.0.1:${spamdPort}` });
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  if (spamd && spamd.exitCode === null) {
    const exited = new Promise((resolve) => spamd!.once("exit", resolve));
    spamd.kill("SIGTERM");
    await exited;
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function send(subject: string, text: string, extra: Record<string, unknown> = {}) {
  const to = `spam-${Date.now()}-${Math.random().toString(36).slice(2)}@customer.test`;
  const after = new Date(Date.now() - 1000).toISOString();
  await nodemailer
    .createTransport({
      host: "127.0.0.1",
      port: sandbox!.smtpPort,
      tls: { rejectUnauthorized: false },
    })
    .sendMail({ from: "Shop <orders@shop.test>", to, subject, text, ...extra });
  const { status, body } = await api(
    sandbox!,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(after)}&timeout=45000`,
  );
  expect(status).toBe(200);
  return body.analysis;
}

// SpamAssassin needs seconds per message when the machine is busy: these tests allow a minute.
describe.skipIf(!hasSpamd)("SpamAssassin through spamd", () => {
  test("a spammy message gets a score over the threshold, its rules, and a finding", async () => {
    const analysis = await send(
      "FREE VIAGRA!!! BUY NOW",
      "Buy cheap viagra now! Click here to order cheap pills online, 100% satisfaction guaranteed!!!",
      { date: null, messageId: null },
    );
    const { spam } = analysis;
    expect(spam.isSpam).toBe(true);
    expect(spam.score).toBeGreaterThanOrEqual(spam.threshold);
    expect(spam.threshold).toBe(5);
    expect(spam.rules.length).toBeGreaterThan(1);
    for (const rule of spam.rules) {
      expect(rule.name).toMatch(/^[A-Z0-9_]+$/);
      expect(typeof rule.score).toBe("number");
      expect(rule.description.length).toBeGreaterThan(0);
    }
    const sum = spam.rules.reduce((total: number, r: { score: number }) => total + r.score, 0);
    expect(sum).toBeCloseTo(spam.score, 0);
    expect(analysis.findings.map((f: { rule: string }) => f.rule)).toContain("spam.score-high");
  }, 60_000);

  test("an ordinary receipt scores under the threshold and raises no spam finding", async () => {
    const analysis = await send(
      "Your receipt for order 1042",
      "Hello Alice,\n\nthanks for your order 1042. It ships tomorrow.\n\nThe Shop team",
    );
    expect(analysis.spam.isSpam).toBe(false);
    expect(analysis.spam.score).toBeLessThan(analysis.spam.threshold);
    expect(analysis.findings.map((f: { rule: string }) => f.rule)).not.toContain("spam.score-high");
  }, 60_000);

  test("an unreachable spamd fails the analyser with UNAVAILABLE, which the pipeline reports as a finding", async () => {
    const closed = await freePort();
    const analyzer = createSpamAnalyzer(`127.0.0.1:${closed}`);
    await expect(
      analyzer.run(
        { message: {} as never, raw: Buffer.from("Subject: x\r\n\r\nx\r\n") },
        {} as never,
      ),
    ).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});
