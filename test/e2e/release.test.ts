import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { artifact, launchBrowser, smtpTransport } from "./browser.js";

let upstream: Sandbox;
let sandbox: Sandbox;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  upstream = await startTestSandbox();
  sandbox = await startTestSandbox({
    relay: `smtp://127.0.0.1:${upstream.smtpPort}`,
    relayAllow: ["*@allowed.test"],
  });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  await upstream?.stop();
});

test("the Release button sends the message on to the typed recipients, and shows a refusal as the server words it", async () => {
  await smtpTransport(sandbox).sendMail({
    from: "app@shop.test",
    to: "ann@allowed.test",
    subject: "Release me",
    text: "x",
  });
  const { body } = await api(
    sandbox,
    `/api/messages?query=${encodeURIComponent("subject:release")}`,
  );
  await page.goto(`${sandbox.url}/messages/${body.messages[0].id}`);
  await page.getByRole("button", { name: "Release" }).click();
  const recipients = page.getByLabel("Release to, comma-separated");
  expect(await recipients.inputValue()).toBe("ann@allowed.test");

  await recipients.fill("eve@evil.test");
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator(".release-form .notice-bad", { hasText: "eve@evil.test" }).waitFor();

  await recipients.fill("bob@allowed.test");
  await page.getByRole("button", { name: "Send" }).click();
  await page
    .locator(".release-form .notice-good", { hasText: "Released to bob@allowed.test: 250" })
    .waitFor();
  await page.screenshot({ path: artifact("message-release") });
  const relayed = await api(
    upstream,
    `/api/messages?query=${encodeURIComponent("to:bob@allowed.test subject:release")}`,
  );
  expect(relayed.body.total).toBe(1);
});

test("without a relay there is no Release button", async () => {
  await smtpTransport(upstream).sendMail({
    from: "app@shop.test",
    to: "ann@allowed.test",
    subject: "No relay here",
    text: "x",
  });
  const { body } = await api(
    upstream,
    `/api/messages?query=${encodeURIComponent('subject:"no relay here"')}`,
  );
  await page.goto(`${upstream.url}/messages/${body.messages[0].id}`);
  await page.locator("[data-testid=subject]", { hasText: "No relay here" }).waitFor();
  await page.getByRole("button", { name: "Mark unread" }).waitFor();
  // The button appears only after GET /api/relay answers: let it.
  await page.waitForLoadState("networkidle");
  expect(await page.getByRole("button", { name: "Release" }).count()).toBe(0);
});
