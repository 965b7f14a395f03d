import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { LinkInfo, Message } from "../../src/core/types.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * --link-check: links are fetched on arrival (after the analysis), but only on the allowed host. Two real servers
 * on 127.0.0.1 record every hit: "app" is allowed (host:port), "other" is not.
 */
interface Recorder {
  server: Server;
  port: number;
  hits: string[];
}

async function startRecorder(redirectTo?: () => string): Promise<Recorder> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/away" && redirectTo) res.writeHead(302, { location: redirectTo() });
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

let sandbox: Sandbox;
let app: Recorder;
let other: Recorder;

beforeAll(async () => {
  other = await startRecorder();
  app = await startRecorder(() => `http://127.0.0.1:${other.port}/stolen`);
  sandbox = await startTestSandbox({
    allowedLinkHosts: [`127.0.0.1:${app.port}`],
    linkCheck: true,
    dnsZone: {},
  });
});
afterAll(async () => {
  await sandbox?.stop();
  for (const r of [app, other])
    if (r) await new Promise<void>((resolve) => r.server.close(() => resolve()));
});

test("on arrival, the allowed link is fetched, the others are not, and redirects off the host are not followed", async () => {
  const to = "live-1@links-live.test";
  await nodemailer
    .createTransport({ host: "127.0.0.1", port: sandbox.smtpPort, pool: false, ignoreTLS: true })
    .sendMail({
      from: "no-reply@app.example.com",
      to,
      subject: "Verify your email",
      html: [
        `<a href="http://127.0.0.1:${app.port}/verify?token=Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K">Verify your email</a>`,
        `<a href="http://127.0.0.1:${other.port}/elsewhere">Elsewhere</a>`,
        `<a href="http://127.0.0.1:${app.port}/away">Moved</a>`,
      ].join("\n"),
    });
  const { body: analysed } = await api<Message>(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=1970-01-01T00:00:00Z&timeout=10000`,
  );
  // Live checks run after the analysis is stored, and fill it in when they are done.
  let message = analysed;
  await expect
    .poll(
      async () => {
        message = (await api<Message>(sandbox, `/api/messages/${analysed.id}`)).body;
        return message.analysis.links.every((l) => l.live);
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  const byPath = (path: string) =>
    message.analysis.links.find((l) => new URL(l.url).pathname === path) as LinkInfo;

  expect(byPath("/verify").live).toMatchObject({ status: 200, redirects: [], error: null });
  expect(byPath("/elsewhere").live).toMatchObject({
    status: null,
    error: expect.stringContaining("not fetched"),
  });
  expect(byPath("/away").live).toMatchObject({
    status: 302,
    redirects: [`http://127.0.0.1:${other.port}/stolen`],
    error: expect.stringContaining("not followed"),
  });
  expect(app.hits.sort()).toEqual(["/away", "/verify?token=Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K"]);
  expect(other.hits).toEqual([]);

  // ?check=1 fetches again, for the selected kind only.
  const { body } = await api(sandbox, `/api/messages/${message.id}/links?check=1&kind=verify`);
  expect(body.links).toHaveLength(1);
  expect(body.links[0].live.status).toBe(200);
  expect(app.hits.filter((h) => h.startsWith("/verify"))).toHaveLength(2);
  expect(other.hits).toEqual([]);
});
