import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import selfsigned from "selfsigned";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import {
  runDoctorCli,
  runDoctorInProcess,
  scratch,
  stageOf,
  type DoctorRun,
} from "../helpers/doctor.js";
import { startTestSandbox } from "../helpers/sandbox.js";

// Each transport failure of "email not sending", reproduced with a small loopback server, must be
// named by the right stage with its cause code, a next step and exit 1; no case may hang or pass.
const OUTBOUND_IP = "203.0.113.5";
const dir = scratch();
const zone = new URL("../../fixtures/dns/doctor-zone.json", import.meta.url).pathname;
const TIMEOUT = 1500;

const env = (port: number, extra: Record<string, string> = {}) => ({
  MAIL_FROM: "App <noreply@app.test>",
  SMTP_HOST: "127.0.0.1",
  SMTP_PORT: String(port),
  TEST_EMAIL: "doctor@inbox.test",
  ...extra,
});
const doctor = (settings: Record<string, string>) =>
  runDoctorInProcess(settings, { zoneFile: zone, timeoutMs: TIMEOUT, spfIp: OUTBOUND_IP });
const doctorCli = (settings: Record<string, string>, extraEnv: Record<string, string> = {}) =>
  runDoctorCli(
    settings,
    [
      "--json",
      "--timeout",
      String(TIMEOUT),
      "--dns-zone",
      zone,
      "--spf-ip",
      OUTBOUND_IP,
      "--dkim-selector",
      "mail",
    ],
    extraEnv,
  );

const closers: Array<() => Promise<unknown> | void> = [];
function listen(server: net.Server | SMTPServer): Promise<number> {
  const inner: net.Server = server instanceof SMTPServer ? server.server : server;
  const sockets = new Set<net.Socket>();
  inner.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  // Doctor's probes hang up abruptly on purpose; that is not a failure of these servers.
  if (server instanceof SMTPServer) server.on("error", () => undefined);
  else server.on("connection", (socket) => socket.on("error", () => undefined));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => inner.close(() => resolve(undefined)));
  });
  return new Promise((resolve) =>
    inner.listen(0, "127.0.0.1", () => resolve((inner.address() as net.AddressInfo).port)),
  );
}

/** An SMTP server with its own TLS setup; consumes every message. */
function smtpServer(options: SMTPServerOptions): SMTPServer {
  return new SMTPServer({
    logger: false,
    authOptional: true,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      stream.resume();
      stream.once("end", () => callback());
    },
    ...options,
  });
}

const loopbackNames = {
  name: "subjectAltName" as const,
  altNames: [{ type: 7 as const, ip: "127.0.0.1" }],
};
const certificate = (
  cn: string,
  notAfter: Date,
  altNames = loopbackNames,
  ca?: { key: string; cert: string },
) =>
  selfsigned.generate([{ name: "commonName", value: cn }], {
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate: new Date(Date.now() - 30 * 86_400_000),
    notAfterDate: notAfter,
    extensions: [{ name: "basicConstraints", cA: false }, altNames],
    ...(ca ? { ca } : {}),
  });

let sandbox: Sandbox;
const ports: Record<string, number> = {};
let caFile = "";
let authAttempts = 0;
let blocker: ChildProcess | null = null;
const blockerSockets: net.Socket[] = [];

/** A port whose accept queue is full: the kernel drops further SYNs, so connecting times out as behind a firewall. */
async function blockedPort(): Promise<number> {
  blocker = spawn("python3", [
    "-c",
    "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)",
  ]);
  const port = await new Promise<number>((resolve) =>
    blocker!.stdout!.once("data", (d) => resolve(Number(String(d).trim()))),
  );
  // One connection fills a backlog of 0: it completes the handshake and waits, never accepted.
  {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => undefined);
    blockerSockets.push(socket);
    await new Promise((resolve) => socket.once("connect", resolve));
  }
  return port;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ smtpsPort: 0 });
  ports.starttls = sandbox.smtpPort;
  ports.implicit = sandbox.smtpsPort!;
  ports.silent = await listen(net.createServer(() => undefined));
  for (const code of [421, 554]) {
    ports[`greeting${code}`] = await listen(
      net.createServer((socket) =>
        socket.end(
          `${code} ${code === 421 ? "4.3.2 Too many connections, try later" : "5.7.1 Your IP is listed at a block list"}\r\n`,
        ),
      ),
    );
  }
  const refused = net.createServer();
  ports.refused = await new Promise<number>((resolve) =>
    refused.listen(0, "127.0.0.1", () => resolve((refused.address() as net.AddressInfo).port)),
  );
  await new Promise((resolve) => refused.close(resolve));
  ports.blocked = await blockedPort();
  ports.plainAuth = await listen(
    smtpServer({
      hideSTARTTLS: true,
      allowInsecureAuth: true,
      onAuth: (_auth, _session, cb) => (authAttempts++, cb(null, { user: "app" })),
    }),
  );
  ports.must530 = await listen(
    smtpServer({
      hideSTARTTLS: true,
      onMailFrom: (_address, _session, cb) =>
        cb(
          Object.assign(new Error("5.7.0 Must issue a STARTTLS command first"), {
            responseCode: 530,
          }),
        ),
    }),
  );
  const year = new Date(Date.now() + 365 * 86_400_000);
  const expired = await certificate("mail.app.test", new Date(Date.now() - 2 * 86_400_000));
  ports.expired = await listen(
    smtpServer({ secure: true, key: expired.private, cert: expired.cert }),
  );
  const wrongName = await certificate("mail.example.com", year, {
    name: "subjectAltName",
    altNames: [{ type: 2 as const, value: "mail.example.com" }] as never,
  });
  ports.wrongName = await listen(
    smtpServer({ secure: true, key: wrongName.private, cert: wrongName.cert }),
  );
  const untrusted = await certificate("mail.app.test", year);
  ports.untrusted = await listen(
    smtpServer({ secure: true, key: untrusted.private, cert: untrusted.cert }),
  );

  // A healthy non-sandbox server: STARTTLS with a certificate from a CA the client trusts, AUTH required.
  const ca = await selfsigned.generate([{ name: "commonName", value: "doctor test CA" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true },
    ],
  });
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, ca.cert);
  const leaf = await certificate("127.0.0.1", year, loopbackNames, {
    key: ca.private,
    cert: ca.cert,
  });
  ports.healthy = await listen(
    smtpServer({
      key: leaf.private,
      cert: leaf.cert,
      authOptional: false,
      onAuth: (auth, _session, cb) =>
        auth.username === "app" && auth.password === "right"
          ? cb(null, { user: "app" })
          : cb(Object.assign(new Error("5.7.8 Authentication failed"), { responseCode: 535 })),
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const socket of blockerSockets) socket.destroy();
  blocker?.kill();
  await Promise.all([sandbox?.stop(), ...closers.map((close) => close())]);
});

const expectFailure = (run: DoctorRun, stage: string, code: string, summary: RegExp) => {
  const found = stageOf(run, stage);
  expect(found.status, JSON.stringify(found)).toBe("fail");
  expect(found.cause?.code).toBe(code);
  expect(found.summary).toMatch(summary);
  expect(found.next.length).toBeGreaterThan(0);
  expect(run.report).toMatchObject({ version: 1, ok: false });
  if (run.code !== null) expect(run.code).toBe(1);
};

// CLI runs start a Node process each; under load that alone can take many seconds.
describe.concurrent("transport causes", { timeout: 120_000 }, () => {
  test("secure: true on a STARTTLS port is a TLS mode mismatch that names the port (CLI: exit 1)", async () => {
    const run = await doctorCli(env(ports.starttls, { SMTP_SECURE: "true" }));
    expect(run.code).toBe(1);
    expectFailure(
      run,
      "tls",
      "tls.mode-mismatch",
      new RegExp(`port ${ports.starttls} speaks plain SMTP first .*SMTP_SECURE=true`),
    );
  });

  test("plain SMTP on an implicit-TLS port is a TLS mode mismatch that names the port", async () => {
    const run = await doctor(env(ports.implicit, { SMTP_SECURE: "false" }));
    expectFailure(
      run,
      "tls",
      "tls.mode-mismatch",
      new RegExp(`port ${ports.implicit} expects implicit TLS .*SMTP_SECURE=false`),
    );
  });

  test("a server that accepts and never greets is a greeting timeout, named as such", async () => {
    const run = await doctor(env(ports.silent));
    expectFailure(
      run,
      "connect",
      "smtp.greeting-timeout",
      new RegExp(`sent no SMTP greeting within ${TIMEOUT} ms`),
    );
    expect(stageOf(run, "tls").status).toBe("skipped");
  });

  test("a silent server is not mistaken for a mode mismatch with secure: true either", async () => {
    const run = await doctor(env(ports.silent, { SMTP_SECURE: "true" }));
    expectFailure(run, "connect", "smtp.greeting-timeout", /no SMTP greeting/);
  });

  test.each([421, 554])("a %i greeting is a refused session", async (code) => {
    const run = await doctor(env(ports[`greeting${code}`]));
    expectFailure(
      run,
      "connect",
      "smtp.greeting-rejected",
      new RegExp(`refused the session in its greeting: ${code}`),
    );
  });

  test("connection refused", async () => {
    expectFailure(
      await doctor(env(ports.refused)),
      "connect",
      "net.refused",
      /nothing is listening .*connection refused/,
    );
  });

  test("a host name that does not resolve", async () => {
    expectFailure(
      await doctor(env(25, { SMTP_HOST: "no-such-host.invalid" })),
      "connect",
      "net.dns-not-found",
      /no-such-host\.invalid does not resolve/,
    );
  });

  test("a port that drops connections times out as blocked", async () => {
    expectFailure(
      await doctor(env(ports.blocked)),
      "connect",
      "net.timeout",
      new RegExp(`timed out after ${TIMEOUT} ms: the port is blocked`),
    );
  });

  test("no STARTTLS while credentials are configured: the password is never sent in clear", async () => {
    const before = authAttempts;
    const run = await doctor(env(ports.plainAuth, { SMTP_USER: "app", SMTP_PASSWORD: "secret" }));
    expectFailure(
      run,
      "tls",
      "tls.starttls-missing",
      /offers no STARTTLS: SMTP_PASSWORD would be sent in clear text/,
    );
    expect(stageOf(run, "auth").status).toBe("skipped");
    expect(authAttempts).toBe(before);
  });

  test("530 Must issue a STARTTLS command first", async () => {
    expectFailure(
      await doctor(env(ports.must530)),
      "tls",
      "tls.starttls-required",
      /demands STARTTLS \(530 5\.7\.0 Must issue a STARTTLS command first\) but does not offer it/,
    );
  });

  test("an expired certificate", async () => {
    expectFailure(
      await doctor(env(ports.expired, { SMTP_SECURE: "true" })),
      "tls",
      "tls.cert-expired",
      /certificate expired 2 days ago/,
    );
  });

  test("a certificate for another name", async () => {
    expectFailure(
      await doctor(env(ports.wrongName, { SMTP_SECURE: "true" })),
      "tls",
      "tls.cert-name-mismatch",
      /does not name 127\.0\.0\.1/,
    );
  });

  test("an untrusted (self-signed) certificate outside a sandbox", async () => {
    expectFailure(
      await doctor(env(ports.untrusted, { SMTP_SECURE: "true" })),
      "tls",
      "tls.cert-untrusted",
      /does not verify: DEPTH_ZERO_SELF_SIGNED_CERT/,
    );
  });

  test("a healthy server (STARTTLS, a trusted certificate, AUTH) is all green, exit 0", async () => {
    // The CA is trusted the way an app trusts a private CA: NODE_EXTRA_CA_CERTS, read when Node starts.
    const run = await doctorCli(env(ports.healthy, { SMTP_USER: "app", SMTP_PASSWORD: "right" }), {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(
      run.stages.filter((s) => s.status !== "pass" && s.status !== "skipped"),
      run.stdout + run.stderr,
    ).toEqual([]);
    expect(run.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      "env:pass",
      "dns:pass",
      "connect:pass",
      "tls:pass",
      "auth:pass",
      "send:pass",
      "queue:skipped",
      "links:skipped",
    ]);
    expect(run.report).toMatchObject({ version: 1, ok: true });
    expect(run.code).toBe(0);
  });
});
