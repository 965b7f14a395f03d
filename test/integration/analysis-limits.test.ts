import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nodemailer from "nodemailer";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
// The built sandbox: analysis runs on worker threads there, as in production (src has no worker entry).
import { createSandbox, type Sandbox } from "../../dist/sandbox.js";
import type { Message } from "../../src/core/types.js";
import type { SandboxOptions } from "../../src/config/options.js";

/**
 * What one message may cost: analysis output and time linear in the input, bounded per message,
 * and no message (nor a slow remote host) holding up the analysis of the next one.
 */
let slowHost: { server: Server; port: number };
let sandbox: Sandbox;

beforeAll(async () => {
  // A host the live check is allowed to fetch, answering every request after 2 s.
  const server = createServer((req, res) => {
    const timer = setTimeout(() => res.end("ok"), req.url?.startsWith("/fast") ? 0 : 2_000);
    res.on("close", () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  slowHost = { server, port: (server.address() as AddressInfo).port };
  sandbox = await createSandbox({
    smtpPort: 0,
    httpPort: 0,
    logger: pino({ level: process.env.MAILPROOF_TEST_LOG ?? "silent" }),
    // The analysis threads log on their own, at this level.
    logLevel: (process.env.MAILPROOF_TEST_LOG ?? "silent") as SandboxOptions["logLevel"],
    dns: ["zone"],
    dnsZone: {},
    linkCheck: true,
    allowedLinkHosts: [`127.0.0.1:${slowHost.port}`],
  });
});

afterAll(async () => {
  await sandbox?.stop();
  slowHost?.server.closeAllConnections();
  await new Promise<void>((resolve) => slowHost?.server.close(() => resolve()));
});

function send(message: { to: string; subject: string; html?: string; text?: string }) {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    pool: false,
    ignoreTLS: true,
  });
  return transport.sendMail({ from: "app@limits.test", ...message });
}

async function waitFor(
  to: string,
  timeout = 20_000,
): Promise<{ status: number; message: Message; ms: number }> {
  const started = performance.now();
  const response = await fetch(
    `${sandbox.url}/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=1970-01-01T00:00:00Z&timeout=${timeout}`,
  );
  return {
    status: response.status,
    message: (await response.json()) as Message,
    ms: performance.now() - started,
  };
}

describe("analysis cost", () => {
  test("a message with 3,000 links finishes analysis, with a bounded analysis and a truncation finding", async () => {
    const to = "many-links@limits.test";
    const links = Array.from(
      { length: 3_000 },
      (_, i) =>
        `https://app.limits.test/reset-password?token=${String(i).padStart(6, "0")}Zr4T0kq9Lx2mWv8NpQ3s`,
    );
    await send({
      to,
      subject: "Reset",
      html: links.map((url) => `<a href="${url}">Reset your password</a>`).join("\n"),
      text: links.join("\n"),
    });

    const { status, message } = await waitFor(to);
    expect(status).toBe(200);
    expect(message.analysis.status).toBe("done");
    expect(message.analysis.findings.filter((f) => f.rule.startsWith("analysis."))).toEqual([]);
    expect(message.analysis.links.length).toBe(200);
    expect(message.analysis.findings).toContainEqual(
      expect.objectContaining({
        rule: "links.truncated",
        message: expect.stringContaining("3,000 links, first 200 checked"),
      }),
    );
    // Was 281 MB for 2,000 links: every link's check listed all the others.
    expect(JSON.stringify(message.analysis).length).toBeLessThan(1_000_000);
  }, 30_000);

  test("1 MB of nested HTML is analysed quickly, says it was truncated, and does not hold up the next message", async () => {
    // How long a small message takes on this machine right now: the measure for the one after.
    await send({ to: "before-deep@limits.test", subject: "Small", text: "hello" });
    let sent = performance.now();
    expect((await waitFor("before-deep@limits.test")).status).toBe(200);
    const alone = performance.now() - sent;

    const deep = "deep@limits.test";
    const small = "after-deep@limits.test";
    await send({
      to: deep,
      subject: "Deep",
      html: `${"<div>".repeat(100_000)}x${"</div>".repeat(100_000)}`,
    });
    await send({ to: small, subject: "Small", text: "hello" });
    sent = performance.now();
    const next = await waitFor(small);
    expect(next.status).toBe(200);
    // Was ~21 s of analysis CPU for the deep message, all of it before the small one's turn.
    expect(performance.now() - sent - alone).toBeLessThan(5_000);
    const { status, message } = await waitFor(deep);
    expect(status).toBe(200);
    expect(message.analysis.findings).toContainEqual(
      expect.objectContaining({ rule: "analysis.truncated" }),
    );
  }, 30_000);

  test("slow live-check hosts do not delay another message's analysis", async () => {
    const slowLinks = (n: number) =>
      Array.from(
        { length: 40 },
        (_, i) => `<a href="http://127.0.0.1:${slowHost.port}/slow/${n}/${i}">page ${i}</a>`,
      ).join("\n");
    await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        send({ to: `slow-${n}@limits.test`, subject: `Slow ${n}`, html: slowLinks(n) }),
      ),
    );
    const to = "after-slow@limits.test";
    await send({
      to,
      subject: "Fast",
      html: `<a href="http://127.0.0.1:${slowHost.port}/fast">fast page</a>`,
    });
    const sent = performance.now();

    const { status, message } = await waitFor(to);
    expect(status).toBe(200);
    expect(performance.now() - sent).toBeLessThan(5_000);

    // Its live check comes in later, taking turns with the slow messages' checks.
    await expect
      .poll(
        async () =>
          (await (await fetch(`${sandbox.url}/api/messages/${message.id}`)).json()).analysis
            .links[0]?.live?.status,
        { timeout: 12_000, interval: 250 },
      )
      .toBe(200);
  }, 30_000);
});
