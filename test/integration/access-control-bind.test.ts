import { request } from "node:http";
import { createServer as createTcpServer, connect, type Server } from "node:net";
import { Hono } from "hono";
import pino from "pino";
import { createAccessControl } from "../../src/api/auth.js";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startCli, type RunningCli } from "../helpers/cli.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * By default mailproof listens on 127.0.0.1 only: captured mail (reset links, codes) is not
 * reachable from the network. The machine's own non-loopback addresses prove it: a control
 * server bound to all addresses is reachable there, the sandbox is not.
 */
let sandbox: Sandbox;
let control: Server;
let controlPort: number;

/** This machine's non-loopback addresses (link-local IPv6 left out: it needs a scope to dial). */
const external = Object.values(networkInterfaces())
  .flat()
  .filter((info) => info !== undefined && !info.internal && !info.address.startsWith("fe80:"))
  .map((info) => info!.address);

/** Resolves "connected", or the error code the connection failed with. */
function dial(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve("ETIMEDOUT");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  control = createTcpServer((socket) => socket.destroy());
  controlPort = await new Promise<number>((resolve) =>
    control.listen(0, "::", () => resolve((control.address() as { port: number }).port)),
  );
});
afterAll(async () => {
  await sandbox?.stop();
  await new Promise((resolve) => control?.close(resolve));
});

describe("default bind address", () => {
  it("serves on 127.0.0.1", async () => {
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.httpPort}`);
    expect(await dial("127.0.0.1", sandbox.httpPort)).toBe("connected");
    expect(await dial("127.0.0.1", sandbox.smtpPort)).toBe("connected");
  });

  it(`is not reachable on this machine's other addresses (${external.join(", ") || "none here"})`, async () => {
    for (const address of external) {
      expect(await dial(address, controlPort), `control server on ${address}`).toBe("connected");
      expect(await dial(address, sandbox.httpPort), `HTTP on ${address}`).toBe("ECONNREFUSED");
      expect(await dial(address, sandbox.smtpPort), `SMTP on ${address}`).toBe("ECONNREFUSED");
    }
  });
});

/** A GET with a Host header of our choosing (fetch would put the URL's host there). */
function getWithHost(
  port: number,
  host: string,
  path = "/api/messages",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once("error", reject);
    req.end();
  });
}

describe("DNS rebinding guard on a loopback bind", () => {
  it.each(["localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.0.0.2", "[::1]"])(
    "serves Host %s",
    async (name) => {
      const { status } = await getWithHost(sandbox.httpPort, `${name}:${sandbox.httpPort}`);
      expect(status).toBe(200);
    },
  );

  it.each([
    "attacker.example",
    "127.0.0.1.attacker.example",
    "localhost.attacker.example",
    "192.0.2.2",
    "0.0.0.0",
  ])("refuses Host %s with 403, health check included", async (name) => {
    for (const path of ["/api/messages", "/api/health", "/", "/sendgrid/v3/mail/send"]) {
      const { status, body } = await getWithHost(
        sandbox.httpPort,
        `${name}:${sandbox.httpPort}`,
        path,
      );
      expect(status, path).toBe(403);
      expect(JSON.parse(body).error.code).toBe("FORBIDDEN");
    }
  });

  it("does not apply when bound to all addresses (the container image): any name may reach it there", async () => {
    const access = createAccessControl(
      { logger: pino({ level: "silent" }), httpPort: () => 8025 },
      { uiAuth: null, apiToken: null, host: "0.0.0.0" },
    );
    const app = new Hono()
      .use("*", access.middleware)
      .get("/api/messages", (c) => c.json({ ok: true }));
    expect(
      (await app.request("/api/messages", { headers: { host: "mailproof:8025" } })).status,
    ).toBe(200);
  });
});

describe("mailproof serve", () => {
  const TOKEN = "cli-Secret-token-19e4";
  const UI_PASS = "cli-Secret-ui-83f0";
  const SMTP_PASS = "cli-Secret-smtp-5a2c";
  let cli: RunningCli;

  beforeAll(async () => {
    cli = await startCli(
      ["--ui-auth", `qa:${UI_PASS}`, "--smtp-auth", `app:${SMTP_PASS}`, "--log-level", "trace"],
      { MAILPROOF_API_TOKEN: TOKEN },
    );
  });
  afterAll(async () => {
    await cli?.stop();
  });

  it("prints loopback listening lines without --host", () => {
    expect(cli.stdout()).toMatch(/^smtp listening on 127\.0\.0\.1:\d+$/m);
    expect(cli.stdout()).toMatch(/^http listening on http:\/\/127\.0\.0\.1:\d+$/m);
  });

  it("takes --ui-auth and MAILPROOF_API_TOKEN", async () => {
    expect((await fetch(`${cli.url}/api/messages`)).status).toBe(401);
    expect(
      (await fetch(`${cli.url}/api/messages`, { headers: { authorization: `Bearer ${TOKEN}` } }))
        .status,
    ).toBe(200);
    const basic = `Basic ${Buffer.from(`qa:${UI_PASS}`).toString("base64")}`;
    expect(
      (await fetch(`${cli.url}/api/messages`, { headers: { authorization: basic } })).status,
    ).toBe(200);
  });

  it("prints none of its secrets, even at --log-level trace", async () => {
    await (
      await fetch(`${cli.url}/api/messages`, { headers: { authorization: "Bearer wrong" } })
    ).body?.cancel();
    const output = cli.stdout() + cli.stderr();
    expect(output).toContain("http request refused by access control");
    for (const secret of [TOKEN, UI_PASS, SMTP_PASS])
      expect(output.includes(secret), secret).toBe(false);
  });
});
