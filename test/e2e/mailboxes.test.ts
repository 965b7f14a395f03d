import { describe, expect, test } from "vitest";
import { api } from "../helpers/sandbox.js";
import { artifact, smtpTransport, uniqueLabels, useUiSession } from "./browser.js";

/**
 * The header's mailbox switcher in Chromium, on a sandbox filing mail by recipient domain: hidden
 * while everything is in "default", then listing the mailboxes with counts, filtering the inbox
 * and its live updates.
 */

const ui = useUiSession({ mailboxBy: "domain" });
const unique = uniqueLabels();
const switcher = () => ui.page.locator("[data-testid=mailbox-switcher]");
const row = (text: string) => ui.page.locator(".row", { hasText: text });
const send = (to: string, subject: string) =>
  smtpTransport(ui.sandbox).sendMail({ from: "app@shop.test", to, subject, text: "hi" });

describe("mailbox switcher", () => {
  test("is hidden while every message is in the default mailbox", async () => {
    const tag = unique("default");
    // An upload without recipients has no domain to file it under.
    expect(
      (
        await api(ui.sandbox, "/api/messages", {
          method: "POST",
          headers: { "content-type": "message/rfc822" },
          body: `From: a@shop.test\r\nSubject: Nowhere ${tag}\r\n\r\nhi\r\n`,
        })
      ).status,
    ).toBe(201);
    await row(`Nowhere ${tag}`).waitFor();
    expect(await switcher().count()).toBe(0);
  });

  test("lists the mailboxes, filters the inbox and its live updates, and switches back", async () => {
    const tag = unique("mb");
    await send(`ann@alpha-${tag}.test`, `Alpha one ${tag}`);
    await send(`bob@beta-${tag}.test`, `Beta one ${tag}`);
    await switcher().waitFor();
    await ui.page
      .locator(`[data-testid=mailbox-switcher] option[value="beta-${tag}.test"]`)
      .waitFor({ state: "attached" });
    const options = await switcher().locator("option").allTextContents();
    expect(options).toEqual(
      expect.arrayContaining([
        "All mailboxes",
        `alpha-${tag}.test (1)`,
        `beta-${tag}.test (1)`,
        "default (1)",
      ]),
    );

    await switcher().selectOption(`alpha-${tag}.test`);
    await ui.page.waitForFunction(
      (t) =>
        ![...document.querySelectorAll(".row")].some((r) =>
          r.textContent?.includes(`Beta one ${t}`),
        ),
      tag,
    );
    await row(`Alpha one ${tag}`).waitFor();

    // Live: the other mailbox's new mail stays out, this one's appears by itself.
    await send(`cy@beta-${tag}.test`, `Beta two ${tag}`);
    await send(`dee@alpha-${tag}.test`, `Alpha two ${tag}`);
    await row(`Alpha two ${tag}`).waitFor();
    expect(await row(`Beta two ${tag}`).count()).toBe(0);
    expect(await ui.page.locator(".row").count()).toBe(2);
    await ui.page.screenshot({ path: artifact("mailbox-switcher") });

    await switcher().selectOption("");
    await row(`Beta two ${tag}`).waitFor();
    await row(`Beta one ${tag}`).waitFor();
    expect(ui.pageErrors).toEqual([]);
  });

  test("the choice survives a reload", async () => {
    const tag = unique("keep");
    await send(`eve@gamma-${tag}.test`, `Gamma ${tag}`);
    await ui.page
      .locator(`[data-testid=mailbox-switcher] option[value="gamma-${tag}.test"]`)
      .waitFor({ state: "attached" });
    await switcher().selectOption(`gamma-${tag}.test`);
    await ui.page.reload();
    await row(`Gamma ${tag}`).waitFor();
    expect(await switcher().inputValue()).toBe(`gamma-${tag}.test`);
    expect(await ui.page.locator(".row").count()).toBe(1);
    await switcher().selectOption("");
  });

  test.each([375, 700])("at %i px wide the header still fits with the switcher", async (width) => {
    await ui.page.setViewportSize({ width, height: 740 });
    await ui.page.goto(ui.sandbox.url);
    await switcher().waitFor();
    const overflow = await ui.page.evaluate(() => {
      const bar = document.querySelector(".topbar")!;
      const outside = [...bar.querySelectorAll("*")].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
      });
      return {
        page: document.documentElement.scrollWidth - window.innerWidth,
        outside: outside.map((el) => el.className || el.tagName),
      };
    });
    await ui.page.screenshot({ path: artifact(`mailbox-header-${width}`) });
    expect(overflow).toEqual({ page: 0, outside: [] });
    expect(await switcher().isVisible()).toBe(true);
    await ui.page.setViewportSize({ width: 1440, height: 900 });
  });
});
