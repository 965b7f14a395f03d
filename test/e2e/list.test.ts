import { describe, expect, test } from "vitest";
import { api } from "../helpers/sandbox.js";
import { artifact, smtpTransport, uniqueLabels, useUiSession } from "./browser.js";

/** The message list in Chromium: search, keyset paging with a virtualised list, keyboard, delete. */

const ui = useUiSession();
const unique = uniqueLabels();

async function send(options: { to: string; subject: string; text?: string; html?: string }) {
  await smtpTransport(ui.sandbox).sendMail({
    from: '"Shop" <hello@shop.test>',
    text: "plain body",
    ...options,
  });
}

const row = (text: string) => ui.page.locator(".row", { hasText: text });
const openId = () => decodeURIComponent(/\/messages\/([^/?]+)/.exec(ui.page.url())?.[1] ?? "");

describe("message list", () => {
  test("search filters the list, and the query lives in the URL", async () => {
    const tag = unique("s");
    await send({ to: `bob-${tag}@example.test`, subject: `Your invoice ${tag}` });
    await send({ to: `carol-${tag}@example.test`, subject: `Password reset ${tag}` });
    await row(`Your invoice ${tag}`).waitFor();
    await row(`Password reset ${tag}`).waitFor();

    await ui.page.goto(ui.sandbox.url);
    const box = ui.page.locator("input[type=search]");
    await box.fill(`to:bob-${tag}@example.test`);
    await ui.page.waitForURL((url) => url.searchParams.get("q") === `to:bob-${tag}@example.test`);
    await ui.page.locator("[data-testid=inbox-count]", { hasText: "1 message found" }).waitFor();
    expect(await ui.page.locator(".row").count()).toBe(1);
    expect(await ui.page.locator(".row").textContent()).toContain(`Your invoice ${tag}`);

    // The help lists the syntax, and picking a term adds it to the box.
    await ui.page.locator("button[title='Search syntax']").click();
    await ui.page.locator(".search-help").waitFor();
    await ui.page.screenshot({ path: artifact("search-help") });
    await ui.page.locator(".search-help button", { hasText: "has:attachment" }).click();
    expect(await box.inputValue()).toBe(`to:bob-${tag}@example.test has:attachment`);
    await ui.page.locator("[data-testid=inbox-count]", { hasText: "0 messages found" }).waitFor();

    // A new match arrives while filtered: the list asks the server again and shows it.
    await box.fill(`subject:${tag}`);
    await ui.page.locator("[data-testid=inbox-count]", { hasText: "2 messages found" }).waitFor();
    await send({ to: `dave-${tag}@example.test`, subject: `Receipt ${tag}` });
    await row(`Receipt ${tag}`).waitFor();
    await send({ to: `erin-${tag}@example.test`, subject: "Unrelated newsletter" });
    await ui.page.locator("[data-testid=inbox-count]", { hasText: "3 messages found" }).waitFor();
    await box.fill("");
    await row("Unrelated newsletter").waitFor();
  });

  test("the list pages through older messages with the keyset cursor and stays virtualised", async () => {
    const tag = unique("bulk");
    // One more than a ui.page of 100, uploaded ten at a time.
    for (let batch = 0; batch < 110; batch += 10) {
      const statuses = await Promise.all(
        Array.from({ length: 10 }, (_, j) => {
          const i = batch + j;
          const raw = `From: bulk@shop.test\r\nTo: bulk-${tag}@example.test\r\nSubject: Bulk ${tag} #${String(i).padStart(3, "0")}\r\n\r\nbody ${i}\r\n`;
          return api(ui.sandbox, "/api/messages", {
            method: "POST",
            body: raw,
            headers: { "content-type": "message/rfc822" },
          }).then((r) => r.status);
        }),
      );
      expect(statuses.every((status) => status === 201)).toBe(true);
    }
    const cursors: string[] = [];
    const onRequest = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.pathname === "/api/messages" && url.searchParams.get("before"))
        cursors.push(url.searchParams.get("before")!);
    };
    ui.page.on("request", onRequest);
    await ui.page.goto(`${ui.sandbox.url}/?q=${encodeURIComponent(`to:bulk-${tag}@example.test`)}`);
    await ui.page.locator("[data-testid=inbox-count]", { hasText: "110 messages found" }).waitFor();
    await row(`Bulk ${tag} #109`).waitFor();
    // Scrolling towards the end loads the next ui.page (100 per ui.page) until there is none.
    const toBottom = () =>
      ui.page.locator(".inbox-scroll").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await toBottom();
    await ui.page.locator(".inbox-end", { hasText: "End of list" }).waitFor();
    await toBottom();
    await row(`Bulk ${tag} #000`).waitFor();
    ui.page.off("request", onRequest);
    expect(cursors.length).toBe(1);
    // Only the rows in view are in the DOM, once the scroll has settled (on a loaded machine the
    // count can be taken while the window of rendered rows still moves).
    await expect.poll(() => ui.page.locator(".row").count(), { timeout: 10_000 }).toBeLessThan(40);
  }, 90_000);

  test("keyboard: / searches, j/k move, Enter opens, x selects, Delete deletes", async () => {
    const tag = unique("kb");
    await send({ to: `kb-${tag}@example.test`, subject: `Older ${tag}` });
    await send({ to: `kb-${tag}@example.test`, subject: `Newer ${tag}` });
    await ui.page.goto(`${ui.sandbox.url}/?q=${encodeURIComponent(`to:kb-${tag}@example.test`)}`);
    await row(`Older ${tag}`).waitFor();

    await ui.page.keyboard.press("/");
    expect(
      await ui.page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type),
    ).toBe("search");
    await ui.page.keyboard.press("Escape");
    expect(await ui.page.evaluate(() => document.activeElement?.tagName)).toBe("BODY");

    await ui.page.keyboard.press("j");
    await ui.page.keyboard.press("j");
    await ui.page.keyboard.press("k");
    await ui.page.keyboard.press("j");
    expect(await ui.page.locator(".row.cursor").textContent()).toContain(`Older ${tag}`);
    await ui.page.keyboard.press("Enter");
    await ui.page.locator("[data-testid=subject]", { hasText: `Older ${tag}` }).waitFor();

    await ui.page.keyboard.press("k");
    await ui.page.keyboard.press("x");
    expect(await ui.page.locator(".row.selected").textContent()).toContain(`Newer ${tag}`);
    await ui.page.keyboard.press("Delete");
    await row(`Newer ${tag}`).waitFor({ state: "detached" });
    const left = await api(
      ui.sandbox,
      `/api/messages?query=${encodeURIComponent(`to:kb-${tag}@example.test`)}`,
    );
    expect(left.body.messages.map((m: { subject: string }) => m.subject)).toEqual([`Older ${tag}`]);

    await ui.page.keyboard.press("?");
    await ui.page.locator(".shortcuts").waitFor();
    await ui.page.screenshot({ path: artifact("shortcuts") });
    await ui.page.keyboard.press("Escape");
  });

  test("delete one, several, a search's results, and all; deletions elsewhere show up live", async () => {
    const tag = unique("del");
    for (const name of ["one", "two", "three", "four", "five"])
      await send({ to: `${name}-${tag}@example.test`, subject: `Delete ${name} ${tag}` });
    await ui.page.goto(ui.sandbox.url);
    await row(`Delete five ${tag}`).waitFor();

    // One, from the message view.
    await row(`Delete one ${tag}`).locator(".row-main").click();
    const oneId = openId();
    await ui.page.locator(".message-badges button", { hasText: "Delete" }).click();
    await row(`Delete one ${tag}`).waitFor({ state: "detached" });
    expect((await api(ui.sandbox, `/api/messages/${oneId}`)).status).toBe(404);

    // Two selected with their checkboxes; the button asks for a second click.
    await row(`Delete two ${tag}`).locator("input[type=checkbox]").check();
    await row(`Delete three ${tag}`).locator("input[type=checkbox]").check();
    await ui.page.locator(".inbox-toolbar button", { hasText: "Delete 2" }).click();
    await ui.page.locator(".inbox-toolbar button", { hasText: "Confirm: delete 2" }).click();
    await row(`Delete two ${tag}`).waitFor({ state: "detached" });
    await row(`Delete three ${tag}`).waitFor({ state: "detached" });

    // Another client deletes one: the SSE event removes it here.
    const four = (
      await api(
        ui.sandbox,
        `/api/messages?query=${encodeURIComponent(`to:four-${tag}@example.test`)}`,
      )
    ).body.messages[0].id;
    expect((await api(ui.sandbox, `/api/messages/${four}`, { method: "DELETE" })).status).toBe(200);
    await row(`Delete four ${tag}`).waitFor({ state: "detached" });

    // The results of a search.
    await ui.page.locator("input[type=search]").fill(`to:five-${tag}@example.test`);
    await ui.page.locator("[data-testid=inbox-count]", { hasText: "1 message found" }).waitFor();
    await ui.page.locator(".inbox-toolbar button", { hasText: "Delete found" }).click();
    await ui.page.locator(".inbox-toolbar button", { hasText: "Confirm: delete 1" }).click();
    await ui.page.locator("[data-testid=inbox-count]", { hasText: "0 messages found" }).waitFor();
    expect(
      (
        await api(
          ui.sandbox,
          `/api/messages?query=${encodeURIComponent(`to:five-${tag}@example.test`)}`,
        )
      ).body.total,
    ).toBe(0);
    expect((await api(ui.sandbox, "/api/messages")).body.total).toBeGreaterThan(0);

    // Everything.
    await ui.page.locator("input[type=search]").fill("");
    await ui.page.locator(".inbox-toolbar button", { hasText: "Delete all" }).click();
    await ui.page.locator(".inbox-toolbar button", { hasText: "Confirm: delete all" }).click();
    await ui.page.locator(".inbox-end", { hasText: "No messages yet" }).waitFor();
    expect((await api(ui.sandbox, "/api/messages")).body.total).toBe(0);
  });

  test("the page reported no errors", () => {
    expect(ui.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
