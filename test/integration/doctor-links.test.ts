import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { createDnsZone, createResolver } from "../../src/analysis/dns/index.js";
import { checkLinks } from "../../src/doctor/stage-links.js";
import { runDoctorCli, scratch, stageOf } from "../helpers/doctor.js";
import { startTestSandbox } from "../helpers/sandbox.js";

// The links stage runs the sandbox's link checks on a real reset email from the app: from a file,
// or triggered through the app's own path; without one it says what was not checked.
const dir = scratch();
const APP_URL = "https://app.example.com";
const TOKEN = "q8V3xYl2Kc9Tn4Rb7Wm1Zp6Hs0Jd5Gf";
const ZONE_FILE = new URL("../../fixtures/dns/doctor-zone.json", import.meta.url).pathname;
const resolver = createResolver(createDnsZone(JSON.parse(readFileSync(ZONE_FILE, "utf8"))), {
  modes: ["zone"],
});
const env = { MAIL_FROM: "noreply@app.test", SENDGRID_API_KEY: "SG.doctor", APP_URL };

function resetEmail(link: string, extraHeaders = ""): string {
  return [
    "From: App <noreply@app.test>",
    "To: user@inbox.test",
    "Subject: Reset your password",
    "MIME-Version: 1.0",
    `Content-Type: text/html; charset=utf-8${extraHeaders}`,
    "",
    `<p><a href="${link}">Reset your password</a></p>`,
    "",
  ].join("\r\n");
}

let sandbox: Sandbox;
let app: Server;
let appPort = 0;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  // A stand-in for the app's "forgot password" endpoint: it sends the reset email through the sandbox's SMTP.
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  app = createServer((req, res) => {
    const link = `http://staging.app.example.com/reset?token=${TOKEN}`;
    transport
      .sendMail({
        from: "noreply@app.test",
        to: "user@inbox.test",
        subject: "Reset your password",
        html: `<a href="${link}">Reset your password</a>`,
      })
      .then(
        () => res.writeHead(204).end(),
        () => res.writeHead(500).end(),
      );
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appPort = (app.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => app?.close(resolve));
  await sandbox?.stop();
});

const sendgrid = () => [
  "--json",
  "--timeout",
  "4000",
  "--sendgrid-url",
  `${sandbox.url}/sendgrid`,
  "--dns-zone",
  ZONE_FILE,
  "--dkim-selector",
  "mail",
];

describe.concurrent("links in a real email", { timeout: 120_000 }, () => {
  test.each([
    {
      name: "a link to another host than APP_URL (staging in production)",
      link: `https://staging.app.example.com/reset?token=${TOKEN}`,
      code: "links.wrong-host",
    },
    {
      name: "an http link",
      link: `http://app.example.com/reset?token=${TOKEN}`,
      code: "links.http",
    },
    {
      name: "a localhost link",
      link: `https://localhost:3000/reset?token=${TOKEN}`,
      code: "links.localhost",
    },
    {
      name: "a mangled token (undecoded quoted-printable)",
      link: `https://app.example.com/reset?token=3D${TOKEN}=3D`,
      code: "links.token-mangled",
    },
    {
      name: "an unfilled {{token}}",
      link: "https://app.example.com/reset?token={{token}}",
      code: "links.token-unfilled",
    },
  ])("$name", async ({ name, link, code }) => {
    const file = join(dir, `${code}.eml`);
    writeFileSync(file, resetEmail(link));
    const links = await checkLinks(APP_URL, resolver, { file }, 4000);
    expect(links.status, `${name}: ${JSON.stringify(links)}`).toBe("fail");
    expect(links.code, JSON.stringify(links)).toBe(code);
    expect(links.next.length).toBeGreaterThan(0);
  });

  test("a good reset email passes", async () => {
    const file = join(dir, "good.eml");
    writeFileSync(file, resetEmail(`${APP_URL}/reset?token=${TOKEN}`));
    const run = await runDoctorCli(env, [...sendgrid(), "--message", file]);
    expect(stageOf(run, "links").status, JSON.stringify(stageOf(run, "links"))).toBe("pass");
    expect(run.code).toBe(0);
  });

  test("--trigger makes the app send its email, read back from the sandbox", async () => {
    const run = await runDoctorCli(env, [
      ...sendgrid(),
      "--trigger",
      `http://127.0.0.1:${appPort}/forgot`,
      "--api-url",
      sandbox.url,
    ]);
    const links = stageOf(run, "links");
    expect(links.evidence.join("\n")).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/forgot: HTTP 204/);
    expect(links.cause?.code, JSON.stringify(links)).toBe("links.wrong-host");
    expect(run.code).toBe(1);
  });

  test("without a trigger, doctor says the email's links were not checked instead of passing", async () => {
    const links = await checkLinks("https://www.acme-app.io", resolver);
    expect(links.status).toBe("info");
    expect(links.code).toBe("links.not-checked");
    expect(links.summary).toMatch(
      /the links in a real email were not checked: pass --trigger URL .* or --message FILE/,
    );
  });

  test("a .test APP_URL is a development address, not the recipient's own machine", async () => {
    const links = await checkLinks("http://myapp.test", resolver);
    expect(links.status).toBe("info");
    expect(links.summary).not.toMatch(/own machine/);
  });
});
