import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { LinkInfo, Message } from "../../src/core/types.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * Links and codes end to end: mail sent over SMTP to a sandbox started with an app URL, read
 * back through /api/wait and /api/messages/:id/links.
 */
let sandbox: Sandbox;
let recorder: Server;
let recorderPort = 0;
const hits: string[] = [];
let counter = 0;
const unique = (label: string) => `${label}-${++counter}@links.test`;
const TOKEN = "Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K";

const transport = () =>
  nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    pool: false,
    ignoreTLS: true,
  });

async function waitFor(to: string): Promise<Message> {
  const { status, body } = await api<Message>(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=1970-01-01T00:00:00Z&timeout=10000`,
  );
  expect(status).toBe(200);
  return body;
}

beforeAll(async () => {
  recorder = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.end("ok");
  });
  await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve));
  recorderPort = (recorder.address() as AddressInfo).port;
  // An empty zone keeps the auth analysers off the network.
  sandbox = await startTestSandbox({ appUrl: "https://app.example.com", dnsZone: {} });
});
afterAll(async () => {
  await sandbox?.stop();
  await new Promise<void>((resolve) => recorder.close(() => resolve()));
});

describe("links and codes over SMTP", () => {
  test("a good reset email: the exact link, its kind and passing checks; the OTP", async () => {
    const to = unique("reset");
    const url = `https://app.example.com/reset?email=ann%40example.net&token=${TOKEN}`;
    await transport().sendMail({
      from: "no-reply@app.example.com",
      to,
      subject: "Reset your password",
      text: `Reset your password: ${url}\n\nOr enter this code: 604938`,
      html: `<p><a href="${url.replace("&", "&amp;")}">Reset your password</a></p><p>Or enter this code: <b>604938</b></p>`,
      list: { unsubscribe: "https://app.example.com/unsubscribe?u=7" },
    });
    const message = await waitFor(to);
    const reset = message.analysis.links.find((l) => l.kind === "reset") as LinkInfo;
    expect(reset).toMatchObject({
      url,
      text: "Reset your password",
      host: "app.example.com",
      https: true,
      foundIn: ["html", "text"],
      live: null,
    });
    expect(reset.checks.filter((c) => c.status !== "pass")).toEqual([]);
    expect(message.analysis.links.find((l) => l.kind === "unsubscribe")).toMatchObject({
      url: "https://app.example.com/unsubscribe?u=7",
      foundIn: ["header"],
    });
    expect(message.analysis.codes).toEqual(["604938"]);
    expect(message.analysis.findings.filter((f) => f.rule.startsWith("links."))).toEqual([]);
  });

  test("the QP soft-break fixture: the broken text link fails and a finding says why", async () => {
    const to = unique("qp");
    await transport().sendMail({
      envelope: { from: "no-reply@app.example.com", to: [to] },
      raw: readFileSync(
        new URL("../../fixtures/eml/links/qp-soft-break-token.eml", import.meta.url),
      ),
    });
    const message = await waitFor(to);
    const text = message.analysis.links.find((l) => l.foundIn?.includes("text")) as LinkInfo;
    expect(text.checks.filter((c) => c.status === "fail").map((c) => c.rule)).toEqual([
      "link.encoding",
      "link.soft-break",
      "link.parts-agree",
    ]);
    expect(message.analysis.findings).toContainEqual(
      expect.objectContaining({ rule: "links.reset-broken", severity: "error" }),
    );
  });

  test("GET /api/messages/:id/links returns links and codes; a localhost reset link fails against a public app URL", async () => {
    const to = unique("local");
    await transport().sendMail({
      from: "no-reply@app.example.com",
      to,
      subject: "Your sign-in code",
      text: `Sign in: http://localhost:3000/login?token=${TOKEN}\n\nYour sign-in code: 311207`,
    });
    const { id } = await waitFor(to);
    const { status, body } = await api(sandbox, `/api/messages/${id}/links`);
    expect(status).toBe(200);
    expect(body.codes).toEqual(["311207"]);
    expect(body.links).toHaveLength(1);
    const checks = Object.fromEntries(
      body.links[0].checks.map((c: { rule: string; status: string }) => [c.rule, c.status]),
    );
    expect(checks).toMatchObject({
      "link.https": "fail",
      "link.host": "fail",
      "link.local-host": "fail",
      "link.token": "pass",
    });
  });

  test("?check=1 does not fetch a link to a loopback server that is not allowed", async () => {
    const to = unique("ssrf");
    await transport().sendMail({
      from: "x@app.example.com",
      to,
      subject: "Verify",
      html: `<a href="http://127.0.0.1:${recorderPort}/verify?token=${TOKEN}">Verify your email</a>`,
    });
    const { id } = await waitFor(to);
    const { status, body } = await api(sandbox, `/api/messages/${id}/links?check=1`);
    expect(status).toBe(200);
    expect(body.links[0].live).toMatchObject({
      status: null,
      error: expect.stringContaining("not fetched: host 127.0.0.1"),
      redirects: [],
    });
    expect(hits).toEqual([]);
    // The result is stored with the message.
    const stored = await api<Message>(sandbox, `/api/messages/${id}`);
    expect(stored.body.analysis.links[0].live?.error).toContain("not fetched");
  });

  test("bad parameters and unknown messages get JSON errors", async () => {
    const to = unique("params");
    await transport().sendMail({
      from: "x@app.example.com",
      to,
      subject: "p",
      text: "https://app.example.com/",
    });
    const { id } = await waitFor(to);
    expect(await api(sandbox, `/api/messages/${id}/links?check=maybe`)).toMatchObject({
      status: 400,
      body: { error: { code: "BAD_REQUEST" } },
    });
    expect(await api(sandbox, `/api/messages/${id}/links?kind=evil`)).toMatchObject({
      status: 400,
      body: { error: { code: "BAD_REQUEST" } },
    });
    expect(await api(sandbox, "/api/messages/01JZZZZZZZZZZZZZZZZZZZZZZZ/links")).toMatchObject({
      status: 404,
      body: { error: { code: "NOT_FOUND" } },
    });
    expect((await api(sandbox, `/api/messages/${id}/links?kind=other`)).body.links).toHaveLength(1);
  });
});
