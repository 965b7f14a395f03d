import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Mailproof } from "../../src/client/index.js";
import "../../src/client/vitest.js";
import type { Sandbox } from "../../src/sandbox.js";
import {
  freshVariables,
  welcomeEmail,
  type SendVariables,
} from "../fixtures/email-snapshot/template.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * Email snapshots over real SMTP sends: per-send values normalise away, template edits do not,
 * and `toMatchEmailSnapshot()` holds against a committed .snap in a real (child) vitest run.
 */
const FIXTURE_DIR = fileURLToPath(new URL("../fixtures/email-snapshot/", import.meta.url));
const VITEST = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));

let sandbox: Sandbox;
let mail: Mailproof;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  mail = new Mailproof({ url: sandbox.url });
});
afterAll(() => sandbox?.stop());

async function sendAndWait(vars: SendVariables, variant: "original" | "changed" = "original") {
  const to = mail.address("welcome");
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    tls: { rejectUnauthorized: false },
  });
  await transport.sendMail(welcomeEmail(to, vars, variant));
  return mail.waitFor({ to });
}

describe("msg.normalized()", () => {
  test("two sends with different tokens, codes, ids, dates and addresses read the same", async () => {
    const first = freshVariables(new Date("2026-01-05T08:15:00Z"));
    const second = freshVariables(new Date("2026-11-30T21:47:13Z"));
    const [a, b] = await Promise.all([sendAndWait(first), sendAndWait(second)]);
    expect(a.codes).toEqual([first.code]);
    const normalized = a.normalized();
    expect(b.normalized()).toBe(normalized);
    for (const value of [
      first.token,
      first.code,
      first.userId,
      "2026-01-05",
      "08:15",
      a.to[0].address,
      a.messageId ?? "none",
    ])
      expect(normalized).not.toContain(value);
    expect(normalized).toContain("Subject: Welcome to Acme, your code is [code-1]");
    expect(normalized).toContain("List-Unsubscribe: <https://app.acme.test/u/[token-1]>");
    expect(normalized).toContain(
      "Verify your email: https://app.acme.test/verify-email?token=[token-1]&uid=[token-2]&utm_source=welcome",
    );
    expect(normalized).toMatch(/Content-Type: multipart\/alternative; boundary="\[boundary\]"/);
    expect(normalized).toContain(
      '<a class="button" href="https://app.acme.test/verify-email?token=[token-1]&amp;uid=[token-2]&amp;utm_source=welcome">\n              Verify my email\n',
    );
    expect(normalized).toContain("<h1>Welcome to Acme!</h1>");
  });

  test("a template change changes it, on the changed line only", async () => {
    const vars = freshVariables();
    const [before, after] = await Promise.all([
      sendAndWait(vars, "original"),
      sendAndWait(vars, "changed"),
    ]);
    const [was, now] = [before.normalized().split("\n"), after.normalized().split("\n")];
    expect(now).not.toEqual(was);
    const changed = now.filter((line, i) => line !== was[i]);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((line) => line.includes("Confirm my address"))).toBe(true);
  });

  test("headers come first, in a fixed order, with placeholders", async () => {
    const msg = await sendAndWait(freshVariables());
    expect(msg.normalized().split("\n").slice(0, 9).join("\n")).toMatchInlineSnapshot(`
      "Date: [date]
      From: Acme <hello@acme.test>
      To: welcome-[unique]@mailproof.test
      Reply-To: support@acme.test
      Subject: Welcome to Acme, your code is [code-1]
      Message-ID: [message-id]
      List-Unsubscribe: <https://app.acme.test/u/[token-1]>
      List-Unsubscribe-Post: List-Unsubscribe=One-Click
      Content-Type: multipart/alternative; boundary="[boundary]""
    `);
  });

  test("a message whose analysis is pending cannot be snapshotted, with or without .not", async () => {
    const pending = {
      ...(await sendAndWait(freshVariables())),
      analysis: {
        status: "pending",
        auth: null,
        links: [],
        codes: [],
        findings: [],
        receivers: [],
      },
    };
    expect(() => expect(pending).toMatchEmailSnapshot()).toThrow(/analysis .* is still pending/);
    expect(() => expect(pending).not.toMatchEmailSnapshot()).toThrow(
      /analysis .* is still pending/,
    );
    expect(() => expect({ subject: "x" }).toMatchEmailSnapshot()).toThrow(
      /expected a mailproof message/,
    );
  });
});

function runFixture(
  variant: "original" | "changed",
): Promise<{ code: number | null; output: string }> {
  // The parent's VITEST_* variables would make the child think it is a worker of this run.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST")),
  );
  const child = spawn(process.execPath, [VITEST, "run", "--root", FIXTURE_DIR], {
    env: {
      ...env,
      CI: "true",
      NO_COLOR: "1",
      MAILPROOF_URL: sandbox.url,
      MAILPROOF_SMTP_PORT: String(sandbox.smtpPort),
      TEMPLATE_VARIANT: variant,
    },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, output })));
}

describe("toMatchEmailSnapshot() in a real vitest run", () => {
  const snapFile = `${FIXTURE_DIR}__snapshots__/welcome.fixture.ts.snap`;
  const inlineFile = `${FIXTURE_DIR}inline.fixture.ts`;

  test("passes against the committed snapshots (.snap and inline) with fresh tokens, codes and dates", async () => {
    const { code, output } = await runFixture("original");
    expect(output).toContain("2 passed");
    expect(code, output).toBe(0);
  }, 90_000);

  test("fails on a changed template, with the diff, and leaves the snapshots alone", async () => {
    const committed = [readFileSync(snapFile, "utf8"), readFileSync(inlineFile, "utf8")];
    const { code, output } = await runFixture("changed");
    expect(code).toBe(1);
    expect(output).toContain("Snapshot `welcome email 1` mismatched");
    expect(output).toContain("Snapshot `welcome email inline 1` mismatched");
    expect(output).toMatch(/^-\s+Verify my email$/m);
    expect(output).toMatch(/^\+\s+Confirm my address$/m);
    expect([readFileSync(snapFile, "utf8"), readFileSync(inlineFile, "utf8")]).toEqual(committed);
  }, 90_000);
});
