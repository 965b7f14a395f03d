#!/usr/bin/env node
// Takes docs/images/inbox.png: a sandbox with a few realistic messages, the reset email open on
// its Links tab, in headless Chromium. Run after `npm run build`:
//   node scripts/docs-screenshot.mjs      (MAILPROOF_CHROMIUM names another Chromium binary)
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import pino from "pino";
import { chromium } from "playwright-core";

const root = new URL("../", import.meta.url);
const at = (path) => fileURLToPath(new URL(path, root));
const { createSandbox } = await import(new URL("dist/index.js", root).href);

const sandbox = await createSandbox({
  smtpPort: 0,
  httpPort: 0,
  logger: pino({ level: "warn" }),
  dns: ["zone"],
  dnsZone: JSON.parse(readFileSync(at("fixtures/dns/example-zone.json"), "utf8")),
  spfIp: "192.0.2.10",
  appUrl: "https://app.shop.test",
});
const dkim = {
  domainName: "shop.test",
  keySelector: "s1",
  privateKey: readFileSync(at("fixtures/keys/shop-s1.pem"), "utf8"),
};
const signed = nodemailer.createTransport({
  host: "127.0.0.1",
  port: sandbox.smtpPort,
  tls: { rejectUnauthorized: false },
  dkim,
});
const unsigned = nodemailer.createTransport({
  host: "127.0.0.1",
  port: sandbox.smtpPort,
  tls: { rejectUnauthorized: false },
});
const envelope = (to) => ({ from: "bounce@shop.test", to });

const token = "Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K";
const messages = [
  [
    signed,
    {
      from: "Shop <orders@shop.test>",
      to: "dana.kim@customer.test",
      subject: "Your order #10482 has shipped",
      text: "Your order is on its way. Track it: https://app.shop.test/orders/10482",
      html: '<p>Your order is on its way.</p><p><a href="https://app.shop.test/orders/10482">Track your parcel</a></p>',
    },
  ],
  [
    unsigned,
    {
      from: "Shop <no-reply@shop.test>",
      to: "lee@customer.test",
      subject: "Welcome to Shop!",
      text: "Thanks for signing up. Confirm your address: http://localhost:3000/verify?token=abc",
      html: '<p>Thanks for signing up.</p><p><a href="http://localhost:3000/verify?token=abc">Confirm your address</a></p>',
    },
  ],
  [
    signed,
    {
      from: "Shop Billing <billing@shop.test>",
      to: "ann@customer.test",
      subject: "Invoice INV-2026-0117",
      text: "Your invoice is attached.",
      attachments: [
        {
          filename: "INV-2026-0117.pdf",
          content: Buffer.from("%PDF-1.4\n%…\n"),
          contentType: "application/pdf",
        },
      ],
    },
  ],
  [
    signed,
    {
      from: "Shop <security@shop.test>",
      to: "ann@customer.test",
      subject: "Your sign-in code",
      text: "Your verification code is 482 913. It expires in 10 minutes.",
    },
  ],
  [
    signed,
    {
      from: "Shop <security@shop.test>",
      to: "ann@customer.test",
      subject: "Reset your password",
      text: `Someone asked to reset the password of your Shop account. Choose a new one:\nhttps://app.shop.test/reset-password?token=${token}\n`,
      html: `<p>Someone asked to reset the password of your Shop account.</p><p><a href="https://app.shop.test/reset-password?token=${token}">Choose a new password</a></p>`,
    },
  ],
];
for (const [transport, message] of messages)
  await transport.sendMail({ ...message, envelope: envelope(message.to) });

const wait = await fetch(
  `${sandbox.url}/api/wait?query=${encodeURIComponent("subject:reset")}&after=2000-01-01T00:00:00Z`,
);
const reset = await wait.json();

const browser = await chromium.launch({
  executablePath: process.env.MAILPROOF_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 720 },
    colorScheme: "light",
  });
  await page.goto(`${sandbox.url}/messages/${reset.id}/links`);
  await page.getByText("reset-password?token=").first().waitFor();
  await page.screenshot({ path: at("docs/images/inbox.png") });
} finally {
  await browser.close();
  await sandbox.stop();
}
console.log(
  `docs/images/inbox.png: ${Math.round(statSync(at("docs/images/inbox.png")).size / 1024)} KB`,
);
