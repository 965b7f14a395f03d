import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { launchBrowser, smtpTransport } from "./browser.js";

/**
 * A page on another local origin (any dev server the developer runs, here another port on
 * 127.0.0.1) against a default sandbox, in real Chromium: it must not read live mail, inject
 * mail, or make the sandbox send mail by being opened in the UI.
 */
let sandbox: Sandbox;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let attacker: { server: Server; url: string };
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@xsite.test`;
const countTo = async (to: string) =>
  (await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:${to}`)}`)).body
    .total as number;

type Probe = Window & { __result?: string; __pwned?: string };

/** Serves one HTML page (set per test) from another origin. */
let attackerPage = "";
async function startAttacker() {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(attackerPage);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const sesQuery = (to: string) =>
  new URLSearchParams({
    Action: "SendEmail",
    Source: "worm@evil.test",
    "Destination.ToAddresses.member.1": to,
    "Message.Subject.Data": "sent by opening a message",
    "Message.Body.Text.Data": "x",
    "X-Amz-Credential": "AKIDWORM/20260101/us-east-1/ses/aws4_request",
  }).toString();

beforeAll(async () => {
  sandbox = await startTestSandbox();
  attacker = await startAttacker();
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  attacker?.server.closeAllConnections();
  await new Promise<void>((resolve) =>
    attacker ? attacker.server.close(() => resolve()) : resolve(),
  );
  await sandbox?.stop();
});

describe("a page on another origin", () => {
  test("cannot open the websocket or the event stream", async () => {
    const target = sandbox.url;
    attackerPage = `<script>
      const results = [];
      const ws = new WebSocket("${target.replace("http", "ws")}/api/events");
      ws.onopen = () => results.push("ws open");
      ws.onmessage = (e) => results.push("ws frame " + e.data.slice(0, 40));
      ws.onerror = () => results.push("ws error");
      const es = new EventSource("${target}/api/events");
      es.onopen = () => results.push("sse open");
      es.onerror = () => { results.push("sse error"); es.close(); };
      setTimeout(() => (window.__result = results.join(",")), 1500);
    </script>`;
    await page.goto(attacker.url);
    await page.waitForFunction(() => (window as Probe).__result !== undefined, undefined, {
      timeout: 10_000,
    });
    const result = await page.evaluate(() => (window as Probe).__result!);
    expect(result).toContain("ws error");
    expect(result).toContain("sse error");
    expect(result).not.toMatch(/ws open|ws frame|sse open/);
  });

  test("cannot post mail with a form (text/plain, urlencoded, multipart) or a no-cors fetch", async () => {
    const to = unique("form");
    const send = JSON.stringify({
      From: { Email: "worm@evil.test" },
      To: [{ Email: to }],
      Subject: "injected",
      Text: "x",
    });
    // The classic text/plain trick: name + "=" + value forms a JSON body.
    const [name, value] = [send.slice(0, -1) + ',"pad":"', '"}'];
    const raw = `From: worm@evil.test\r\nTo: ${to}\r\nSubject: injected\r\n\r\nx\r\n`;
    const attr = (text: string) =>
      text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/\r\n/g, "&#13;&#10;");
    const forms = [
      {
        action: `${sandbox.url}/api/messages?to=${encodeURIComponent(to)}`,
        enctype: "text/plain",
        name: "Subject: x\r\n\r\nignored",
        value: raw,
      },
      { action: `${sandbox.url}/api/v1/send`, enctype: "text/plain", name, value },
      {
        action: `${sandbox.url}/api/v1/send`,
        enctype: "application/x-www-form-urlencoded",
        name: send,
        value: "",
      },
      {
        action: `${sandbox.url}/mailgun/v3/mg.evil.test/messages`,
        enctype: "multipart/form-data",
        name: "to",
        value: to,
      },
    ];
    attackerPage = `${forms
      .map(
        (f, i) =>
          `<iframe name="sink${i}"></iframe><form id="f${i}" method="POST" target="sink${i}" action="${attr(f.action)}" enctype="${f.enctype}"><input name="${attr(f.name)}" value="${attr(f.value)}"></form>`,
      )
      .join("")}
      <script>
        for (let i = 0; i < ${forms.length}; i++) document.getElementById("f" + i).submit();
        const data = new FormData();
        for (const [k, v] of [["from", "worm@evil.test"], ["to", ${JSON.stringify(to)}], ["subject", "injected"], ["text", "x"]]) data.append(k, v);
        fetch("${sandbox.url}/mailgun/v3/mg.evil.test/messages", { method: "POST", mode: "no-cors", body: data, headers: { authorization: "Basic " + btoa("api:key-x") } })
          .catch(() => undefined)
          .finally(() => setTimeout(() => (window.__result = "done"), 1500));
      </script>`;
    await page.goto(attacker.url);
    await page.waitForFunction(() => (window as Probe).__result !== undefined, undefined, {
      timeout: 10_000,
    });
    expect(await countTo(to)).toBe(0);
  });
});

describe("opening a message in the UI", () => {
  test("does not send mail through the SES mock's GET, with or without remote images", async () => {
    const to = unique("worm");
    const query = sesQuery(to);
    const html = `<p>hello</p><img src="/ses/?${query}" width="1"><img src="${sandbox.url}/ses/?${query}" width="1"><img src="//${new URL(sandbox.url).host}/ses/?${query}">`;
    await smtpTransport(sandbox).sendMail({
      from: "worm@evil.test",
      to: "victim@example.test",
      subject: `worm ${to}`,
      html,
    });
    const { body } = await api(
      sandbox,
      `/api/messages?query=${encodeURIComponent(`subject:"worm ${to}"`)}`,
    );
    const id = body.messages[0].id as string;
    await page.goto(`${sandbox.url}/messages/${id}/html`);
    await page.locator("iframe.preview-frame").waitFor();
    await page.waitForTimeout(1000);
    expect(await countTo(to)).toBe(0);
    await page.locator("[data-testid=remote-images]").check();
    await page.locator("iframe.preview-frame").waitFor();
    await page.waitForTimeout(1000);
    expect(await countTo(to)).toBe(0);
  });

  test("a <script src> pointing at a JavaScript attachment never runs in the UI's origin", async () => {
    await smtpTransport(sandbox).sendMail({
      from: "worm@evil.test",
      to: "victim@example.test",
      subject: "script attachment",
      text: "see attached",
      attachments: [
        {
          filename: "run.js",
          content: "window.__pwned = 'attachment ran';",
          contentType: "application/javascript",
        },
      ],
    });
    const { body } = await api(
      sandbox,
      `/api/messages?query=${encodeURIComponent('subject:"script attachment"')}`,
    );
    const message = (await api(sandbox, `/api/messages/${body.messages[0].id}`)).body;
    const src = `/api/messages/${message.id}/attachments/${message.attachments[0].id}`;
    await page.goto(sandbox.url);
    // As if some HTML injection in the UI's own origin added the tag: the policy must still hold.
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const script = document.createElement("script");
          script.src = url;
          script.onload = () => resolve("loaded");
          script.onerror = () => resolve("blocked");
          document.head.append(script);
          setTimeout(() => resolve("timeout"), 3000);
        }),
      src,
    );
    expect(outcome).toBe("blocked");
    expect(await page.evaluate(() => (window as Probe).__pwned ?? null)).toBeNull();
  });
});
