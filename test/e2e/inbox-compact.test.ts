import { describe, expect, test } from "vitest";
import { api } from "../helpers/sandbox.js";
import { artifact, smtpTransport, uniqueLabels, useUiSession } from "./browser.js";

/**
 * What a newcomer sees first, in Chromium: each row names its recipient (every test has its own
 * address), a laptop screen holds about twenty rows, the header fits a phone, and a bad search
 * says what is wrong and nothing else.
 */

const ui = useUiSession();
const unique = uniqueLabels();
const row = (text: string) => ui.page.locator(".row", { hasText: text });

describe("inbox for a newcomer", () => {
  test("a row shows the first recipient, and +N for the others", async () => {
    const tag = unique("rcpt");
    const ann = `ann-${tag}@example.test`;
    await smtpTransport(ui.sandbox).sendMail({
      from: '"Shop" <hello@shop.test>',
      to: [`"Ann" <${ann}>`, `bob-${tag}@example.test`, `cy-${tag}@example.test`],
      subject: `Team ${tag}`,
      text: "hi",
    });
    await smtpTransport(ui.sandbox).sendMail({
      from: '"Shop" <hello@shop.test>',
      to: `dee-${tag}@example.test`,
      subject: `Solo ${tag}`,
      text: "hi",
    });
    await ui.page.goto(ui.sandbox.url);
    await row(`Team ${tag}`).waitFor();
    const team = row(`Team ${tag}`).locator(".row-to");
    expect(await team.textContent()).toBe(`${ann}+2`);
    expect(await team.getAttribute("title")).toContain(`bob-${tag}@example.test`);
    expect(await row(`Solo ${tag}`).locator(".row-to").textContent()).toBe(
      `dee-${tag}@example.test`,
    );
  });

  test("at 1280×800 about twenty rows are in view", async () => {
    const tag = unique("dense");
    const uploads = Array.from({ length: 30 }, (_, i) =>
      api(ui.sandbox, "/api/messages", {
        method: "POST",
        headers: { "content-type": "message/rfc822" },
        body: `From: a@shop.test\r\nTo: dense-${tag}@example.test\r\nSubject: Dense ${tag} #${i}\r\n\r\nbody ${i}\r\n`,
      }).then((r) => r.status),
    );
    expect(await Promise.all(uploads)).toEqual(Array(30).fill(201));
    await ui.page.setViewportSize({ width: 1280, height: 800 });
    await ui.page.goto(ui.sandbox.url);
    await row(`Dense ${tag} #29`).waitFor();
    const inView = await ui.page.evaluate(() => {
      const box = document.querySelector(".inbox-scroll")!.getBoundingClientRect();
      return [...document.querySelectorAll(".row")].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
      }).length;
    });
    await ui.page.screenshot({ path: artifact("inbox-compact") });
    expect(inView).toBeGreaterThanOrEqual(18);
    await ui.page.setViewportSize({ width: 1440, height: 900 });
  });

  test.each([375, 700])(
    "at %i px wide the header fits without horizontal overflow",
    async (width) => {
      await ui.page.setViewportSize({ width, height: 740 });
      await ui.page.goto(ui.sandbox.url);
      await ui.page.locator(".topbar").waitFor();
      const overflow = await ui.page.evaluate(() => {
        const bar = document.querySelector(".topbar")!;
        const outside = [...bar.querySelectorAll("*")].filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
        });
        return {
          page: document.documentElement.scrollWidth - window.innerWidth,
          bar: bar.scrollWidth - bar.clientWidth,
          outside: outside.map((el) => el.className || el.tagName),
        };
      });
      await ui.page.screenshot({ path: artifact(`header-${width}`) });
      expect(overflow).toEqual({ page: 0, bar: 0, outside: [] });
      // Search and navigation are still there.
      expect(await ui.page.locator("input[type=search]").isVisible()).toBe(true);
      expect(await ui.page.locator(".nav a", { hasText: "Faults" }).isVisible()).toBe(true);
      await ui.page.setViewportSize({ width: 1440, height: 900 });
    },
  );

  test("an invalid search shows its error, not also 'Nothing matches'", async () => {
    await ui.page.goto(ui.sandbox.url);
    await ui.page.locator("input[type=search]").fill("before:notadate");
    const error = ui.page.locator(".inbox .notice-bad");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/not an ISO date/);
    expect(await ui.page.locator(".inbox-end").textContent()).not.toMatch(/Nothing matches/);
    expect(await ui.page.locator(".inbox").textContent()).not.toMatch(/Nothing matches/);
  });

  test("an unsigned message from this machine: the receivers' verdicts say they are expected", async () => {
    const tag = unique("local");
    await smtpTransport(ui.sandbox).sendMail({
      from: "Acme <no-reply@myapp.test>",
      to: `local-${tag}@example.test`,
      subject: `Local ${tag}`,
      text: "Reset: https://myapp.test/reset?token=abc",
    });
    await ui.page.goto(ui.sandbox.url);
    await row(`Local ${tag}`).locator(".row-main").click();
    await ui.page.locator(".tabs .tab", { hasText: "Authentication" }).click();
    const receivers = ui.page.locator("[data-testid=receivers]");
    await receivers.waitFor();
    expect(await receivers.textContent()).toMatch(/Local development/);
    expect(await receivers.locator(".badge").allTextContents()).toEqual([
      "reject (expected)",
      "reject (expected)",
      "spam-risk (expected)",
    ]);
    expect(await receivers.locator(".badge-bad").count()).toBe(0);
  });

  test("the page reported no errors", () => {
    // The invalid search answers 400 on purpose.
    expect(ui.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
