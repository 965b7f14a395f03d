import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { api } from "../helpers/sandbox.js";
import {
  artifact,
  collectPageErrors,
  pngImage,
  smtpTransport,
  uniqueLabels,
  useUiSession,
} from "./browser.js";

/**
 * The web UI in Debian's Chromium against a real sandbox: mail sent over SMTP shows up live,
 * every message tab shows what was captured, search, paging, keyboard and delete work.
 */

const zone = JSON.parse(
  readFileSync(new URL("../../fixtures/dns/auth-zone.json", import.meta.url), "utf8"),
);
const dkimKey = readFileSync(new URL("../../fixtures/keys/shop-s1.pem", import.meta.url), "utf8");
const png = pngImage();

// spfIp: the zone's SPF record lists 192.0.2.10, so the Authentication tab can show a pass.
const ui = useUiSession({ dnsZone: zone, spfIp: "192.0.2.10" });
const unique = uniqueLabels();

async function send(options: {
  to: string;
  subject: string;
  text?: string;
  html?: string;
  attachments?: object[];
}) {
  await smtpTransport(ui.sandbox).sendMail({
    from: '"Shop" <hello@shop.test>',
    dkim: { domainName: "shop.test", keySelector: "s1", privateKey: dkimKey },
    text: "plain body",
    ...options,
  });
}

const row = (text: string) => ui.page.locator(".row", { hasText: text });
const tab = (name: string) => ui.page.locator(".tabs .tab", { hasText: name });
const openId = () => decodeURIComponent(/\/messages\/([^/?]+)/.exec(ui.page.url())?.[1] ?? "");

describe("web UI", () => {
  const welcome = unique("Welcome");
  const alice = `${unique("alice")}@example.test`;

  test("a message sent over SMTP appears in the list without a reload", async () => {
    await ui.page.evaluate(
      () => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true),
    );
    await send({
      to: `"Alice" <${alice}>`,
      subject: welcome,
      text: "Hello Alice,\n\nConfirm your address: https://shop.test/verify?token=abc123\n",
      html: `<!doctype html><html><body style="font-family:sans-serif"><h1>Hello Alice</h1>
        <p>Confirm your address: <a href="https://shop.test/verify?token=abc123">verify</a></p>
        <img id="logo" src="cid:logo@shop.test" alt="logo" width="40" height="40"></body></html>`,
      attachments: [
        { filename: "logo.png", content: png, cid: "logo@shop.test" },
        { filename: "invoice.png", content: png },
        { filename: "notes.txt", content: "plain notes" },
      ],
    });
    await row(welcome).waitFor();
    expect(
      await ui.page.evaluate(
        () => (window as unknown as { __sameDocument?: boolean }).__sameDocument,
      ),
    ).toBe(true);
    expect(await row(welcome).getAttribute("class")).toContain("unread");
    expect(await row(welcome).textContent()).toContain("SMTP");
    await ui.page.screenshot({ path: artifact("inbox") });
  });

  test("opening it shows HTML, text, source, headers and attachments, and marks it read", async () => {
    await row(welcome).locator(".row-main").click();
    await ui.page.waitForURL(/\/messages\//);
    const id = openId();

    const preview = ui.page.frameLocator("iframe.preview-frame");
    await preview.locator("h1", { hasText: "Hello Alice" }).waitFor();
    // The cid: image is served from its attachment and really decodes.
    const frame = ui.page.frames().find((f) => f.url() === "about:srcdoc")!;
    await frame.waitForFunction(
      () => (document.getElementById("logo") as HTMLImageElement | null)?.complete,
    );
    expect(
      await frame.evaluate(
        () => (document.getElementById("logo") as HTMLImageElement).naturalWidth,
      ),
    ).toBe(40);
    await expect
      .poll(async () => (await api(ui.sandbox, `/api/messages/${id}`)).body.read)
      .toBe(true);
    expect(await row(welcome).getAttribute("class")).toContain("read");
    await ui.page.screenshot({ path: artifact("message-html") });

    await ui.page.locator(".segmented button", { hasText: "mobile" }).click();
    expect(
      await ui.page
        .locator("iframe.preview-frame")
        .evaluate((el) => el.getBoundingClientRect().width),
    ).toBe(375);
    await ui.page.screenshot({ path: artifact("message-html-mobile") });

    await tab("Text").click();
    expect(await ui.page.locator("pre.text-body").textContent()).toContain(
      "Confirm your address: https://shop.test/verify?token=abc123",
    );

    await tab("Source").click();
    const source = ui.page.locator("[data-testid=source]");
    await source.waitFor();
    expect(await source.textContent()).toContain(`Subject: ${welcome}`);
    expect(await source.textContent()).toContain("Content-Type: multipart/");
    const [eml] = await Promise.all([
      ui.page.waitForEvent("download"),
      ui.page.locator(".tab-body a", { hasText: "Download .eml" }).click(),
    ]);
    expect(eml.suggestedFilename()).toBe(`${id}.eml`);

    await tab("Headers").click();
    const headers = await ui.page.locator("[data-testid=headers]").textContent();
    expect(headers).toContain("Message-ID");
    expect(headers).toContain("DKIM-Signature");
    expect(await ui.page.locator(".tab-body").textContent()).toContain(alice);

    await tab("Attachments").click();
    const items = ui.page.locator("[data-testid=attachments] .attachment");
    expect(await items.count()).toBe(3);
    const thumbs = ui.page.locator("[data-testid=attachments] img.thumb");
    expect(await thumbs.count()).toBe(2);
    for (const thumb of await thumbs.all()) {
      await thumb.scrollIntoViewIfNeeded();
      await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);
    }
    const [notes] = await Promise.all([
      ui.page.waitForEvent("download"),
      ui.page.locator(".attachment-name", { hasText: "notes.txt" }).click(),
    ]);
    expect(notes.suggestedFilename()).toBe("notes.txt");
    await ui.page.screenshot({ path: artifact("message-attachments") });

    // Analysis lands by SSE into the open message.
    await expect
      .poll(async () => (await api(ui.sandbox, `/api/messages/${id}`)).body.analysis.status)
      .toBe("done");
    await tab("Authentication").click();
    await ui.page.locator(".verdict h3", { hasText: "DMARC" }).waitFor();
    await ui.page.screenshot({ path: artifact("message-auth") });
    await tab("Findings").click();
    await ui.page.screenshot({ path: artifact("message-findings") });
    await tab("Links").click();
    await ui.page.screenshot({ path: artifact("message-links") });
    await tab("HTML check").click();
    await ui.page.screenshot({ path: artifact("message-compatibility") });
    await tab("SMTP").click();
    await ui.page.screenshot({ path: artifact("message-smtp") });
  });

  test("a deep link opens the message and tab directly", async () => {
    const id = (
      await api(ui.sandbox, `/api/messages?query=${encodeURIComponent(`subject:${welcome}`)}`)
    ).body.messages[0].id;
    const other = await ui.context.newPage();
    const errors = collectPageErrors(other);
    await other.goto(`${ui.sandbox.url}/messages/${id}/headers`);
    await other.locator("[data-testid=headers]").waitFor();
    expect(await other.locator(".tabs .tab.active").textContent()).toBe("Headers");
    expect(await other.locator("[data-testid=subject]").textContent()).toBe(welcome);
    await other.goBack().catch(() => undefined);
    await other.close();
    expect(errors).toEqual([]);
  });

  test("tags edited on a message are saved and searchable", async () => {
    const tag = unique("tag").toLowerCase();
    await send({ to: `tags-${tag}@example.test`, subject: `Tagged ${tag}` });
    await ui.page.goto(ui.sandbox.url);
    await row(`Tagged ${tag}`).locator(".row-main").click();
    await ui.page.locator(".message-badges button", { hasText: "Add tags" }).click();
    await ui.page.getByLabel("Tags, comma-separated").fill(`${tag}, vip`);
    await ui.page.locator(".tag-form button[type=submit]").click();
    await ui.page.locator(".message-badges .badge", { hasText: `#${tag}` }).waitFor();
    const id = openId();
    expect((await api(ui.sandbox, `/api/messages/${id}`)).body.tags).toEqual([tag, "vip"]);
    await row(`Tagged ${tag}`).locator(".badge", { hasText: "#vip" }).waitFor();
    await ui.page.locator("input[type=search]").fill(`tag:${tag}`);
    await ui.page.locator("[data-testid=inbox-count]", { hasText: "1 message found" }).waitFor();
  });

  test("dark mode, the panels, and a narrow window stay usable", async () => {
    const tag = unique("dark");
    await send({
      to: `dark-${tag}@example.test`,
      subject: `Dark mode ${tag}`,
      html: `<p style="color:#333">A light e-mail in a dark UI</p>`,
    });
    await ui.page.goto(ui.sandbox.url);
    await ui.page.locator("button[aria-label='Dark mode']").click();
    await ui.page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await row(`Dark mode ${tag}`).locator(".row-main").click();
    await ui.page.frameLocator("iframe.preview-frame").locator("p").waitFor();
    await ui.page.screenshot({ path: artifact("dark-mode") });
    // The choice survives a reload.
    await ui.page.reload();
    await ui.page.locator(".topbar").waitFor();
    expect(await ui.page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await ui.page.locator("button[aria-label='Light mode']").click();

    await ui.page.locator(".nav a", { hasText: "Faults" }).click();
    await ui.page.waitForURL(/\/faults$/);
    await ui.page.locator(".panel").waitFor();
    await ui.page.screenshot({ path: artifact("faults") });
    await ui.page.locator(".nav a", { hasText: "Providers" }).click();
    await ui.page.locator(".panel h2", { hasText: "Provider mocks" }).waitFor();
    await ui.page.screenshot({ path: artifact("providers") });

    await ui.page.setViewportSize({ width: 800, height: 900 });
    await ui.page.goto(ui.sandbox.url);
    await row(`Dark mode ${tag}`).locator(".row-main").click();
    expect(await ui.page.locator(".inbox").isVisible()).toBe(false);
    await ui.page.screenshot({ path: artifact("narrow-message") });
    await ui.page.locator(".message-title .back").click();
    expect(await ui.page.locator(".inbox").isVisible()).toBe(true);
    await ui.page.setViewportSize({ width: 1440, height: 900 });
  });

  test("the page reported no errors", () => {
    expect(ui.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
