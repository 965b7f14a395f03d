import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { collectPageErrors, launchBrowser, pngImage, smtpTransport } from "./browser.js";

/**
 * The web UI behind access control, in Chromium: with `--api-token` the page asks for the token
 * (or takes it from a `#token=` link) and then everything works, live events, images and
 * downloads included; with `--ui-auth` the browser's own Basic credentials carry it.
 */
const TOKEN = "e2e-token-5b0d93c1";
const USER = "qa";
const PASS = "e2e-pass-71aa";

let tokenSandbox: Sandbox;
let basicSandbox: Sandbox;
let browser: Browser;

/** 401s are the point of some steps here; anything else the page reports is a bug. */
function unexpectedErrors(page: Page) {
  const errors = collectPageErrors(page);
  return () => errors.filter((e) => !/401 \(Unauthorized\)/.test(e));
}

async function sendWithImage(sandbox: Sandbox, to: string, subject: string) {
  await smtpTransport(sandbox).sendMail({
    from: "hello@shop.test",
    to,
    subject,
    text: "see the picture",
    attachments: [{ filename: "chart.png", content: pngImage(), contentType: "image/png" }],
  });
}

beforeAll(async () => {
  tokenSandbox = await startTestSandbox({ apiToken: TOKEN });
  basicSandbox = await startTestSandbox({ uiAuth: { user: USER, pass: PASS } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await tokenSandbox?.stop();
  await basicSandbox?.stop();
});

describe("--api-token", () => {
  test("the page asks for the token, refuses a wrong one, then shows live mail, images and downloads", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = unexpectedErrors(page);
    await page.goto(tokenSandbox.url);
    const form = page.locator("form[aria-label='Sign in']");
    await form.waitFor();
    expect(await page.locator(".row").count()).toBe(0);

    await form.locator("input[name=token]").fill("not-the-token");
    await form.locator("button[type=submit]").click();
    await page.locator("[role=alert]", { hasText: "did not accept" }).waitFor();

    await form.locator("input[name=token]").fill(TOKEN);
    await form.locator("button[type=submit]").click();
    // "live" means the EventSource on /api/events got through: it can only carry the cookie.
    await page.locator("[data-testid=live]", { hasText: "live" }).waitFor();

    const subject = `token-live-${Date.now().toString(36)}`;
    await sendWithImage(tokenSandbox, "viewer@auth.test", subject);
    const row = page.locator(".row", { hasText: subject });
    await row.waitFor();
    await row.locator(".row-main").click();
    await page.locator(".tabs .tab", { hasText: "Attachments" }).click();
    const thumb = page.locator("[data-testid=attachments] img.thumb");
    await thumb.scrollIntoViewIfNeeded();
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("[data-testid=attachments] a.attachment-name").click(),
    ]);
    expect(download.suggestedFilename()).toBe("chart.png");
    expect(await download.failure()).toBeNull();

    // The token is not kept where page scripts could read it; only the HttpOnly cookie is.
    const stored = await page.evaluate(
      () =>
        JSON.stringify({ ...sessionStorage }) +
        JSON.stringify({ ...localStorage }) +
        document.cookie,
    );
    expect(stored).not.toContain(TOKEN);
    const cookies = await context.cookies();
    expect(cookies.map((c) => ({ httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
      { httpOnly: true, sameSite: "Strict" },
    ]);
    expect(errors()).toEqual([]);
    await context.close();
  });

  test("a #token= link signs in and leaves no token in the address bar", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = unexpectedErrors(page);
    await page.goto(`${tokenSandbox.url}/#token=${TOKEN}`);
    await page.locator("[data-testid=live]", { hasText: "live" }).waitFor();
    expect(page.url()).not.toContain(TOKEN);
    expect(await page.locator("form[aria-label='Sign in']").count()).toBe(0);
    expect(errors()).toEqual([]);
    await context.close();
  });

  test("signing out (the cookie gone) brings the token form back on the next API error", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${tokenSandbox.url}/#token=${TOKEN}`);
    await page.locator("[data-testid=live]", { hasText: "live" }).waitFor();
    await context.clearCookies();
    // The UI's own next request (a search) gets a 401 and shows the form again.
    await page.locator(".search input").fill("subject:anything");
    await page.locator("form[aria-label='Sign in']").waitFor();
    await context.close();
  });
});

describe("--ui-auth", () => {
  test("without (or with wrong) credentials the page itself stays shut behind the Basic challenge", async () => {
    for (const httpCredentials of [undefined, { username: USER, password: "wrong" }]) {
      const context = await browser.newContext(httpCredentials ? { httpCredentials } : {});
      const page = await context.newPage();
      // Headless Chromium treats a Basic challenge it cannot meet as a cancelled login dialog (no
      // credentials) or shows the 401 page once its credentials were refused.
      const outcome = await page.goto(basicSandbox.url).then(
        (r) => `status ${r?.status()}`,
        (err: Error) => err.message,
      );
      expect(outcome).toMatch(/ERR_INVALID_AUTH_CREDENTIALS|status 401/);
      expect(await page.locator(".row").count()).toBe(0);
      await context.close();
    }
  });

  test("with the browser's Basic credentials the UI works as without auth", async () => {
    const context = await browser.newContext({
      httpCredentials: { username: USER, password: PASS },
    });
    const page = await context.newPage();
    const errors = unexpectedErrors(page);
    await page.goto(basicSandbox.url);
    await page.locator("[data-testid=live]", { hasText: "live" }).waitFor();
    const subject = `basic-live-${Date.now().toString(36)}`;
    await sendWithImage(basicSandbox, "viewer@auth.test", subject);
    const row = page.locator(".row", { hasText: subject });
    await row.waitFor();
    await row.locator(".row-main").click();
    await page.locator(".tabs .tab", { hasText: "Attachments" }).click();
    const thumb = page.locator("[data-testid=attachments] img.thumb");
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);
    expect(await page.locator("form[aria-label='Sign in']").count()).toBe(0);
    expect(errors()).toEqual([]);
    await context.close();
  });
});
