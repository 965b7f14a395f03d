import { existsSync, mkdirSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { CreateSandboxOptions, Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/** Debian's Chromium (apt package `chromium`, installed by .ci/run), headless, with nothing phoning home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const UI_INDEX = fileURLToPath(new URL("../../ui/dist/index.html", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  // `npm test` builds the UI first (pretest); a bare `vitest run` needs `npm run build` once.
  if (!existsSync(UI_INDEX))
    throw new Error(`the web UI is not built (${UI_INDEX} missing): run npm run build`);
  return chromium.launch({
    executablePath: process.env.MAILPROOF_CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}

export interface UiSession {
  sandbox: Sandbox;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** What the page logged as errors, collected from the start. */
  pageErrors: string[];
}

/**
 * A test file's sandbox and one Chromium page on it, opened before its tests and closed after
 * them; the fields are set once `beforeAll` has run. With `live`, the page has loaded the inbox
 * and its live event stream is connected.
 */
export function useUiSession(
  sandboxOptions: CreateSandboxOptions = {},
  { live = true } = {},
): UiSession {
  const ui = {} as UiSession;
  beforeAll(async () => {
    ui.sandbox = await startTestSandbox(sandboxOptions);
    ui.browser = await launchBrowser();
    ui.context = await ui.browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: "light",
    });
    ui.page = await ui.context.newPage();
    ui.pageErrors = collectPageErrors(ui.page);
    if (!live) return;
    await ui.page.goto(ui.sandbox.url);
    await ui.page.locator("[data-testid=live]", { hasText: "live" }).waitFor();
  });
  afterAll(async () => {
    await ui.browser?.close();
    await ui.sandbox?.stop();
  });
  return ui;
}

/** Labels unique within the run, so tests sharing one sandbox never see each other's mail. */
export function uniqueLabels(): (label: string) => string {
  let counter = 0;
  return (label) => `${label}-${++counter}-${Date.now().toString(36)}`;
}

/** Where screenshots go (git-ignored), for a human to look at after a run. */
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return `${ARTIFACTS}${name}.png`;
}

export function smtpTransport(sandbox: Sandbox) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    secure: false,
    ignoreTLS: true,
  } satisfies SMTPTransport.Options);
}

/** A loopback HTTP server that records every request: anything the preview must not load lands here. */
export async function startTrap(): Promise<{
  url: string;
  hits: string[];
  close(): Promise<void>;
}> {
  const hits: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    hits.push(request.url ?? "");
    // A real 1x1 GIF, so an allowed image really loads.
    response.writeHead(200, { "Content-Type": "image/gif", "Access-Control-Allow-Origin": "*" });
    response.end(
      Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Errors the page itself reports: a broken UI shows up here before any assertion. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    // CSP reports from the preview frame are expected: they are the policy doing its job.
    if (
      msg.type() === "error" &&
      !/Content Security Policy|Blocked script execution|sandboxed|ERR_BLOCKED/i.test(msg.text())
    )
      errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

/** A real PNG (a two-colour diagonal), so thumbnails and cid: images have something to decode. */
export function pngImage(size = 40): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) rows.push(...(x > y ? [37, 99, 235] : [22, 163, 74]));
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.from(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
