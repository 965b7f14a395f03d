import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { uiCsp } from "../../src/api/ui.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import {
  artifact,
  collectPageErrors,
  launchBrowser,
  pngImage,
  smtpTransport,
  startTrap,
} from "./browser.js";
import { CLICKS, hostileCorpus, type HostileCase } from "./hostile-corpus.js";

/**
 * Captured mail is attacker-controlled HTML. Rendering it in the UI must never run a script,
 * submit a form, navigate the UI, or load remote content the user did not ask for.
 */

let sandbox: Sandbox;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let trap: Awaited<ReturnType<typeof startTrap>>;
let corpus: HostileCase[];
const dialogs: string[] = [];
const popups: string[] = [];
const ids = new Map<string, string>();

type Flagged = Window & { __pwned?: string; __sameDocument?: boolean };
const flag = (frame: Frame) =>
  frame
    .evaluate(() => (window as Flagged).__pwned ?? null)
    .catch((err: Error) => `evaluate failed: ${err.message}`);
/**
 * Link clicks may open the link in a new tab (that is what a developer clicking a reset link wants);
 * that tab may also ask the trap for its favicon.
 */
const isLinkTarget = (url: string) =>
  /\/target-(top|parent|self|named)$/.test(url) || url === "/favicon.ico";

const escapeAttribute = (html: string) => html.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

async function previewFrame(): Promise<Frame> {
  await page.locator("iframe.preview-frame").waitFor();
  const handle = await page.locator("iframe.preview-frame").elementHandle();
  const frame = await handle.contentFrame();
  await frame!.waitForLoadState("load");
  return frame!;
}

beforeAll(async () => {
  trap = await startTrap();
  corpus = hostileCorpus(trap.url);
  sandbox = await startTestSandbox();
  const transport = smtpTransport(sandbox);
  for (const item of corpus) {
    await transport.sendMail({
      from: "attacker@evil.test",
      to: "victim@example.test",
      subject: `Hostile: ${item.name}`,
      text: "see HTML",
      html: item.html,
    });
  }
  const { body } = await api(sandbox, "/api/messages?limit=100&query=subject:Hostile");
  for (const message of body.messages)
    ids.set(message.subject.replace("Hostile: ", ""), message.id);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("popup", (popup) => {
    popups.push(popup.url());
    void popup.close().catch(() => undefined);
  });
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  await trap?.close();
});

describe("hostile HTML in the preview", () => {
  test("control: outside the sandbox the corpus really runs, and the flags detect it", async () => {
    const control = await context.newPage();
    for (const item of corpus.filter((c) => c.autoRuns)) {
      await control.setContent(`<iframe srcdoc="${escapeAttribute(item.html)}"></iframe>`);
      await control.waitForFunction(() => (window as Flagged).__pwned !== undefined, undefined, {
        timeout: 5000,
      });
    }
    await control.close();
    trap.hits.length = 0;
  });

  test("no case runs code, navigates the UI, or reaches the network", async () => {
    const errors = collectPageErrors(page);
    // One document for the whole corpus: a flag or a navigation from any case is still visible at the end.
    await page.goto(`${sandbox.url}/?q=${encodeURIComponent("subject:Hostile")}`);
    await page.evaluate(() => ((window as Flagged).__sameDocument = true));
    for (const item of corpus) {
      const id = ids.get(item.name)!;
      const subject = new RegExp(`^Hostile: ${item.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
      await page
        .locator(".row", { has: page.locator(".row-subject", { hasText: subject }) })
        .locator(".row-main")
        .click();
      await page.locator("[data-testid=subject]", { hasText: subject }).waitFor();
      const frame = await previewFrame();
      const present = await frame.evaluate(
        (selectors) => selectors.filter((s) => document.querySelector(s)),
        CLICKS,
      );
      for (const selector of present) await frame.locator(selector).click({ timeout: 2000 });
      // Give refreshes, autofocus and late loads their chance to act.
      await page.waitForTimeout(150);

      for (const f of page.frames())
        expect(await flag(f), `${item.name}: flag in ${f.url()}`).toBeNull();
      expect(new URL(page.url()).pathname, item.name).toBe(`/messages/${id}`);
      expect(
        await page.evaluate(() => (window as Flagged).__sameDocument),
        `${item.name}: the UI document was replaced`,
      ).toBe(true);
      expect(frame.url(), `${item.name}: the preview navigated`).toBe("about:srcdoc");
      // Frames and plugins inside the message are removed, so the preview has no child frames.
      expect(page.frames().length, item.name).toBe(2);
      if (item.name === "event handlers")
        await page.screenshot({ path: artifact("hostile-preview") });
    }
    expect(dialogs, "dialogs").toEqual([]);
    expect(
      trap.hits.filter((hit) => !isLinkTarget(hit)),
      "requests that reached the trap",
    ).toEqual([]);
    expect(
      popups.filter((p) => p !== "about:blank" && !isLinkTarget(new URL(p).pathname)),
      "popups",
    ).toEqual([]);
    expect(
      errors.filter((e) => !/Failed to load resource/.test(e)),
      "page errors",
    ).toEqual([]);
  }, 90_000);

  test("remote images stay off until asked for; then images load and nothing else does", async () => {
    trap.hits.length = 0;
    await page.goto(`${sandbox.url}/messages/${ids.get("remote media")}/html`);
    await previewFrame();
    const toggle = page.locator("[data-testid=remote-images]");
    expect(await page.locator(".preview-bar .toggle").textContent()).toMatch(
      /Load remote images \(\d+ blocked\)/,
    );
    expect(await toggle.isChecked()).toBe(false);
    expect(trap.hits).toEqual([]);

    await toggle.check();
    const frame = await previewFrame();
    await frame.waitForFunction(
      () => (document.getElementById("remote-img") as HTMLImageElement | null)?.naturalWidth === 1,
    );
    expect(trap.hits).toContain("/pixel.gif");
    // Media, scripts and styles stay blocked even with images on.
    expect(trap.hits.filter((hit) => !hit.endsWith(".gif"))).toEqual([]);
    for (const f of page.frames()) expect(await flag(f)).toBeNull();
  });

  test("hostile subject, names, text and file names are shown as text", async () => {
    const payload = `<img src=x onerror="top.__pwned='subject'"><script>top.__pwned='subject-script'</script>`;
    await smtpTransport(sandbox).sendMail({
      from: { name: `<svg onload="top.__pwned='from'">`, address: "attacker@evil.test" },
      to: "victim@example.test",
      subject: payload,
      text: `<script>top.__pwned='text'</script>`,
      attachments: [
        { filename: `<img src=x onerror="top.__pwned='file'">.png`, content: pngImage() },
      ],
    });
    const { body } = await api(
      sandbox,
      `/api/messages?query=${encodeURIComponent("from:attacker@evil.test has:attachment")}`,
    );
    const id = body.messages[0].id;
    await page.goto(sandbox.url);
    await page.locator(".row", { hasText: "onerror" }).first().waitFor();
    await page.goto(`${sandbox.url}/messages/${id}/text`);
    expect(await page.locator("[data-testid=subject]").textContent()).toBe(payload);
    for (const tab of ["Text", "Source", "Headers", "Attachments"]) {
      await page.locator(".tabs .tab", { hasText: tab }).click();
      await page.locator(`.tab-body[data-tab=${tab.toLowerCase()}]`).waitFor();
      if (tab === "Attachments") await page.locator(".attachment-name").waitFor();
      if (tab === "Source") await page.locator("[data-testid=source]").waitFor();
      for (const f of page.frames()) expect(await flag(f), tab).toBeNull();
    }
    expect(await page.locator(".attachment-name").textContent()).toBe(
      `<img src=x onerror="top.__pwned='file'">.png`,
    );
    expect(dialogs).toEqual([]);
  });

  test("the UI and the preview carry their policies", async () => {
    const response = await fetch(sandbox.url);
    const csp = uiCsp(new URL(sandbox.url).host);
    expect(response.headers.get("content-security-policy")).toBe(csp);
    expect(csp).toContain(`script-src ${new URL(sandbox.url).host}/assets/;`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);

    await page.goto(`${sandbox.url}/messages/${ids.get("script tags")}/html`);
    const frame = await previewFrame();
    const sandboxFlags = (await page
      .locator("iframe.preview-frame")
      .getAttribute("sandbox"))!.split(/\s+/);
    for (const dangerous of [
      "allow-scripts",
      "allow-same-origin",
      "allow-forms",
      "allow-top-navigation",
      "allow-modals",
    ])
      expect(sandboxFlags).not.toContain(dangerous);
    const meta = await frame.evaluate(() => [
      document.head.firstElementChild?.getAttribute("http-equiv"),
      document.head.firstElementChild?.getAttribute("content"),
    ]);
    expect(meta[0]).toBe("Content-Security-Policy");
    expect(meta[1]).toContain("default-src 'none'");
    expect(meta[1]).not.toContain("script-src");
    expect(await frame.evaluate(() => document.querySelectorAll("script").length)).toBe(0);
  });
});
