import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Mailproof } from "mailproof/client";
import { afterAll, beforeAll } from "vitest";
import { startSandbox, type CreateSandboxOptions } from "mailproof/testing";
import pino from "pino";
import { loadConfig } from "../src/config.js";
import type { QueueEvent, RetryPolicy } from "../src/mail-queue.js";
import { startApp, type RunningApp } from "../src/server.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** The DNS the sandbox answers from: saas.example is fully set up, unsigned.example is not. */
export const dnsZone = JSON.parse(readFileSync(fixture("dns-zone.json"), "utf8")) as Record<
  string,
  unknown
>;
/** The outbound IP that saas.example's SPF record authorises. */
export const spfIp = "192.0.2.25";
export const sandboxOptions: CreateSandboxOptions = { dnsZone, spfIp, logLevel: "silent" };

/** The app's environment when it signs as saas.example with the key whose public half is in the zone. */
export const signedMailEnv = {
  MAIL_FROM: "SaaS Example <no-reply@saas.example>",
  DKIM_DOMAIN: "saas.example",
  DKIM_SELECTOR: "mail2026",
  DKIM_PRIVATE_KEY_FILE: fixture("dkim-private.pem"),
};

export interface MailSandbox {
  mail: Mailproof;
  env: { SMTP_HOST: string; SMTP_PORT: string; MAILPROOF_URL: string };
  stop(): Promise<void>;
}

/**
 * The sandbox of the run when `vitest.config.ts`'s global setup started one (it exported
 * SMTP_HOST, SMTP_PORT and MAILPROOF_URL); otherwise one in this process for this file.
 */
export async function useSandbox(): Promise<MailSandbox> {
  const { SMTP_HOST, SMTP_PORT, MAILPROOF_URL } = process.env;
  if (SMTP_HOST && SMTP_PORT && MAILPROOF_URL) {
    return {
      mail: new Mailproof(),
      env: { SMTP_HOST, SMTP_PORT, MAILPROOF_URL },
      stop: async () => undefined,
    };
  }
  const sandbox = await startSandbox(sandboxOptions);
  return { mail: sandbox.mail, env: sandbox.env, stop: () => sandbox.stop() };
}

/** The app on a free port, configured only through its environment, as in production. */
export function startSaas(
  env: Record<string, string>,
  options: { retry?: Partial<RetryPolicy>; onMailEvent?: (event: QueueEvent) => void } = {},
): Promise<RunningApp> {
  return startApp(loadConfig({ PORT: "0", ...signedMailEnv, ...env }), {
    logger: pino({ level: process.env.SAAS_TEST_LOG ?? "silent" }),
    retry: { baseDelayMs: 20, maxAttempts: 3, ...options.retry },
    onMailEvent: options.onMailEvent,
  });
}

export interface SaasUnderTest {
  sandbox: MailSandbox;
  mail: Mailproof;
  app: RunningApp;
}

/**
 * A test file's sandbox and app: started before its tests, stopped after them. The fields are
 * set once `beforeAll` has run. `env` turns the sandbox's variables into the app's environment.
 */
export function useSaasApp(
  env: (sandbox: MailSandbox) => Record<string, string> = (sandbox) => sandbox.env,
): SaasUnderTest {
  const saas = {} as SaasUnderTest;
  beforeAll(async () => {
    saas.sandbox = await useSandbox();
    saas.mail = saas.sandbox.mail;
    saas.app = await startSaas(env(saas.sandbox));
  });
  afterAll(async () => {
    await saas.app?.stop();
    await saas.sandbox?.stop();
  });
  return saas;
}

/** POST JSON to the app. */
export async function post(
  app: RunningApp,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
