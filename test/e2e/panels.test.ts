import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { artifact, collectPageErrors, launchBrowser, smtpTransport } from "./browser.js";

/** The panels that drive other features through their APIs: fault rules, SMTP transcripts, provider mocks. */

let sandbox: Sandbox;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now().toString(36)}`;
const row = (text: string) => page.locator(".row", { hasText: text });

beforeAll(async () => {
  sandbox = await startTestSandbox();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  pageErrors = collectPageErrors(page);
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
});

describe("panels", () => {
  test("a fault rule added in the Faults panel rejects mail, and removing it lets mail through", async () => {
    const tag = unique("fault");
    await page.goto(`${sandbox.url}/faults`);
    await page.locator(".rule-form").waitFor();
    await page.getByLabel("Stage").selectOption("rcpt");
    await page.getByLabel("To glob").fill(`blocked-${tag}-*@example.test`);
    await page.getByLabel("Reply code").fill("550");
    await page.getByLabel("Reply text").fill("5.1.1 No such user here");
    await page.locator(".rule-form button[type=submit]").click();
    await page.locator(".rule", { hasText: "reply 550 5.1.1 No such user here" }).waitFor();
    expect((await api(sandbox, "/api/faults")).body.rules).toMatchObject([{ stage: "rcpt", match: { to: `blocked-${tag}-*@example.test` }, reply: { code: 550 } }]);
    await page.screenshot({ path: artifact("faults-rule") });

    const blocked = smtpTransport(sandbox).sendMail({ from: "app@shop.test", to: `blocked-${tag}-1@example.test`, subject: `Blocked ${tag}`, text: "x" });
    await expect(blocked).rejects.toMatchObject({ responseCode: 550 });

    await page.locator(".rule button", { hasText: "Remove" }).click();
    await page.locator(".rules .rule").waitFor({ state: "detached" });
    expect((await api(sandbox, "/api/faults")).body.rules).toEqual([]);
    await smtpTransport(sandbox).sendMail({ from: "app@shop.test", to: `blocked-${tag}-2@example.test`, subject: `Delivered ${tag}`, text: "x" });
    await page.goto(sandbox.url);
    await row(`Delivered ${tag}`).waitFor();
    expect(await row(`Blocked ${tag}`).count()).toBe(0);
  });

  test("a bad rule shows the server's error and changes nothing", async () => {
    await page.goto(`${sandbox.url}/faults`);
    await page.getByLabel("Reply code").fill("999");
    await page.locator(".rule-form button[type=submit]").click();
    await page.locator(".panel .notice-bad").waitFor();
    expect(await page.locator(".panel .notice-bad").textContent()).toMatch(/code/i);
    expect((await api(sandbox, "/api/faults")).body.rules).toEqual([]);
  });

  test("the SMTP tab shows the session transcript of a message", async () => {
    const tag = unique("smtp");
    await smtpTransport(sandbox).sendMail({ from: "app@shop.test", to: `t-${tag}@example.test`, subject: `Transcript ${tag}`, text: "x" });
    const { body } = await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:t-${tag}@example.test`)}`);
    await page.goto(`${sandbox.url}/messages/${body.messages[0].id}/smtp`);
    const transcript = page.locator("[data-testid=transcript]");
    await transcript.waitFor();
    const text = await transcript.textContent();
    expect(text).toContain("MAIL FROM:<app@shop.test>");
    expect(text).toContain(`RCPT TO:<t-${tag}@example.test>`);
    expect(text).toContain(`message captured as ${body.messages[0].id}`);
    expect(await page.locator(".smtp-client").count()).toBeGreaterThan(2);
    await page.screenshot({ path: artifact("message-smtp") });
  });

  test("mail sent through a provider mock shows its source, and the provider panel its event log", async () => {
    const tag = unique("sg");
    const to = `sg-${tag}@example.test`;
    const response = await fetch(`${sandbox.url}/sendgrid/v3/mail/send`, {
      method: "POST",
      headers: { Authorization: "Bearer SG.test-key", "Content-Type": "application/json" },
      body: JSON.stringify({ personalizations: [{ to: [{ email: to }] }], from: { email: "hello@shop.test" }, subject: `Via SendGrid ${tag}`, content: [{ type: "text/plain", value: "hi" }] }),
    });
    expect(response.status).toBe(202);
    await page.goto(sandbox.url);
    await row(`Via SendGrid ${tag}`).waitFor();
    expect(await row(`Via SendGrid ${tag}`).locator(".badge").first().textContent()).toBe("sendgrid");

    await page.goto(`${sandbox.url}/providers/sendgrid`);
    const events = page.locator("[data-testid=provider-events]");
    await events.locator("tr", { hasText: to }).first().waitFor();
    await page.screenshot({ path: artifact("provider-events") });
    await events.locator("tr", { hasText: to }).first().locator("a", { hasText: "open" }).click();
    await page.locator("[data-testid=subject]", { hasText: `Via SendGrid ${tag}` }).waitFor();
  });

  test("the page reported no errors", () => {
    expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
