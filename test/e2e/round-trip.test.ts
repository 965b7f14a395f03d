import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { artifact, launchBrowser, smtpTransport } from "./browser.js";

/** `app` plays the application's inbound SMTP server. */
let app: Sandbox;
let sandbox: Sandbox;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startTestSandbox();
  sandbox = await startTestSandbox({ inbound: `smtp://127.0.0.1:${app.smtpPort}` });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  await app?.stop();
});

const wait = async (target: Sandbox, query: string) =>
  (await api(target, `/api/wait?query=${encodeURIComponent(query)}&after=1970-01-01T00:00:00Z`))
    .body as { id: string; subject: string };

test("a bounce links to its original and back; Reply delivers a reply to --inbound", async () => {
  await smtpTransport(sandbox).sendMail({
    from: "app@shop.test",
    to: "bounce@simulator.mailproof.test",
    subject: "Verify your email",
    text: "x",
  });
  const original = await wait(sandbox, 'subject:"verify your email"');
  const bounce = await wait(sandbox, "source:dsn tag:bounce");

  await page.goto(`${sandbox.url}/messages/${bounce.id}`);
  await page
    .locator("[data-testid=round-trip]", { hasText: "Bounce of Verify your email" })
    .waitFor();
  await page
    .locator("[data-testid=round-trip]")
    .getByRole("link", { name: "Verify your email" })
    .click();
  await page.locator("[data-testid=subject]", { hasText: "Verify your email" }).waitFor();
  expect(page.url()).toContain(`/messages/${original.id}`);
  await page
    .locator("[data-testid=round-trip]")
    .getByRole("link", { name: "Undelivered Mail Returned to Sender" })
    .waitFor();

  await page.getByRole("button", { name: "Reply" }).click();
  await page.getByLabel("Reply text").fill("This is my reply.");
  await page.getByRole("button", { name: "Send reply" }).click();
  await page
    .locator(".release-form .notice-good", { hasText: "Delivered to smtp://127.0.0.1" })
    .waitFor();
  await page.screenshot({ path: artifact("message-round-trip") });
  const delivered = await wait(app, 'subject:"Re: Verify your email"');
  expect(delivered.subject).toBe("Re: Verify your email");
});
