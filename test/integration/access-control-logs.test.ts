import nodemailer from "nodemailer";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * Credentials never reach the log: a sandbox logging at `trace` into a buffer goes through every
 * way a secret arrives (SMTP AUTH PLAIN/LOGIN with and without TLS, right and wrong; Bearer, Basic
 * and the session cookie, right and wrong; the websocket; provider keys), then the whole log is
 * searched for each secret in every encoding it travelled in.
 */
const SMTP = { user: "mailer", pass: "smtp-Secret-7d2e91" };
const UI = { user: "qa", pass: "ui-Secret-4b8a03" };
const TOKEN = "api-Secret-c6f15e";
const PROVIDER_KEY = "SG.provider-Secret-92aa";
const WRONG = {
  smtp: "smtp-Typo-5e1c",
  token: "api-Typo-0f3b",
  bare: "bare-Typo-93d2",
  ui: "ui-Typo-a71d",
  provider: "SG.provider-Typo-66d0",
};

let sandbox: Sandbox;
let log = "";
let cookieValue = "";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function transport(pass: string, options: { authMethod?: string; ignoreTLS?: boolean } = {}) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    tls: { rejectUnauthorized: false },
    auth: { user: SMTP.user, pass },
    ...options,
  });
}
const mail = (subject: string) => ({
  from: "app@example.test",
  to: "logs@security.test",
  subject,
  text: "hello",
});
const get = (path: string, headers: Record<string, string>, init: RequestInit = {}) =>
  fetch(`${sandbox.url}${path}`, { ...init, headers });

beforeAll(async () => {
  const logger = pino({ level: "trace" }, { write: (line: string) => void (log += line) });
  sandbox = await startTestSandbox({
    logger,
    smtpAuth: [SMTP],
    uiAuth: UI,
    apiToken: TOKEN,
    providers: { sendgrid: { apiKeys: [PROVIDER_KEY] } },
  });

  // SMTP: PLAIN over STARTTLS, LOGIN in plain text, and wrong passwords both ways.
  await transport(SMTP.pass).sendMail(mail("plain over tls"));
  await transport(SMTP.pass, { authMethod: "LOGIN", ignoreTLS: true }).sendMail(
    mail("login in clear"),
  );
  await expect(
    transport(WRONG.smtp, { ignoreTLS: true }).sendMail(mail("refused")),
  ).rejects.toMatchObject({ responseCode: 535 });
  await expect(
    transport(WRONG.smtp, { authMethod: "LOGIN", ignoreTLS: true }).sendMail(mail("refused")),
  ).rejects.toMatchObject({ responseCode: 535 });

  // HTTP: each scheme right and wrong, the UI login and its cookie.
  // A token sent without its scheme word is still a secret.
  for (const authorization of [
    `Bearer ${TOKEN}`,
    `Bearer ${WRONG.token}`,
    WRONG.bare,
    TOKEN,
    `Basic ${b64(`${UI.user}:${UI.pass}`)}`,
    `Basic ${b64(`${UI.user}:${WRONG.ui}`)}`,
  ]) {
    await (await get("/api/messages", { authorization })).body?.cancel();
  }
  const login = await get("/api/auth", { authorization: `Bearer ${TOKEN}` }, { method: "POST" });
  cookieValue = (login.headers.get("set-cookie") ?? "").split(";")[0].split("=")[1] ?? "";
  expect(cookieValue.length).toBeGreaterThan(20);
  await (
    await get("/api/messages", { cookie: `mailproof_session_${sandbox.httpPort}=${cookieValue}` })
  ).body?.cancel();
  await (
    await get("/api/messages", { cookie: `mailproof_session_${sandbox.httpPort}=1.${WRONG.token}` })
  ).body?.cancel();
  await (
    await get("/api/auth", { authorization: `Bearer ${WRONG.token}` }, { method: "POST" })
  ).body?.cancel();

  // The websocket upgrade, refused and accepted.
  for (const authorization of [`Bearer ${WRONG.token}`, `Bearer ${TOKEN}`]) {
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(`${sandbox.url.replace("http", "ws")}/api/events`, {
        headers: { authorization },
      });
      ws.once("open", () => (ws.close(), resolve()));
      ws.once("unexpected-response", () => (ws.terminate(), resolve()));
      ws.once("error", () => resolve());
    });
  }

  // Provider keys, right and wrong.
  const body = JSON.stringify({
    personalizations: [{ to: [{ email: "logs@security.test" }] }],
    from: { email: "app@example.test" },
    subject: "sg",
    content: [{ type: "text/plain", value: "x" }],
  });
  for (const key of [PROVIDER_KEY, WRONG.provider]) {
    const response = await fetch(`${sandbox.url}/sendgrid/v3/mail/send`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(key === PROVIDER_KEY ? 202 : 401);
    await response.body?.cancel();
  }

  // The transcripts API stores SMTP sessions: the AUTH lines there must be redacted as well.
  const auth = { authorization: `Bearer ${TOKEN}` };
  const { sessions } = (await (await get("/api/sessions?limit=100", auth)).json()) as {
    sessions: Array<{ id: string }>;
  };
  expect(sessions.length).toBeGreaterThanOrEqual(4);
  for (const { id } of sessions)
    log += `\n--- /api/sessions/${id} ---\n${await (await get(`/api/sessions/${id}`, auth)).text()}`;
});

afterAll(async () => {
  await sandbox?.stop();
});

it("logged what happened (the search below is not vacuous)", () => {
  expect(log).toContain("smtp authentication failed");
  expect(log).toContain("http request refused by access control");
  expect(log).toContain('"offered":"unrecognised"');
  expect(log).toContain("provider mock refused the request");
  expect(log).toMatch(/"level":(10|20)/);
  expect(log).toContain("AUTH");
});

it("holds no secret in any form it travelled in", () => {
  const secrets: Record<string, string> = {
    "SMTP password": SMTP.pass,
    "SMTP password, base64 (AUTH LOGIN)": b64(SMTP.pass),
    "SMTP PLAIN response": b64(`\0${SMTP.user}\0${SMTP.pass}`),
    "wrong SMTP password": WRONG.smtp,
    "wrong SMTP password, base64": b64(WRONG.smtp),
    "wrong SMTP PLAIN response": b64(`\0${SMTP.user}\0${WRONG.smtp}`),
    "API token": TOKEN,
    "wrong API token": WRONG.token,
    "token sent without a scheme": WRONG.bare,
    "UI password": UI.pass,
    "Basic credentials": b64(`${UI.user}:${UI.pass}`),
    "wrong UI password": WRONG.ui,
    "wrong Basic credentials": b64(`${UI.user}:${WRONG.ui}`),
    "session cookie": cookieValue,
    "provider key": PROVIDER_KEY,
    "wrong provider key": WRONG.provider,
  };
  for (const [what, secret] of Object.entries(secrets)) {
    expect(log.includes(secret), `${what} appears in the log`).toBe(false);
  }
});
