import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { CLI } from "../helpers/cli.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

// `mailproof doctor` against a sandbox with each TLS fault rule: the tls stage must name it.
let sandbox: Sandbox;
let zoneFile: string;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  // The test certificates are made on first use; made now, their cost does not count against doctor's timeout.
  expect((await api(sandbox, "/api/tls/ca.pem")).status).toBe(200);
  zoneFile = join(mkdtempSync(join(tmpdir(), "mailproof-doctor-tls-")), "zone.json");
  writeFileSync(
    zoneFile,
    JSON.stringify({
      "app.test": {
        MX: [{ exchange: "mx.app.test", priority: 10 }],
        TXT: [["v=spf1 ip4:203.0.113.5 -all"]],
      },
    }),
  );
});
afterAll(() => sandbox?.stop());
beforeEach(() => faults([]));

interface Stage {
  stage: string;
  status: string;
  summary: string;
  evidence: string[];
  causes: string[];
}

async function faults(rules: unknown[]) {
  const { status } = await api(sandbox, "/api/faults", {
    method: "PUT",
    body: JSON.stringify({ rules }),
    headers: { "content-type": "application/json" },
  });
  expect(status).toBe(200);
}

/** Runs the built CLI's doctor (SMTP stages only matter here) and returns its tls and send stages. */
function doctorTls(): Promise<{ tls: Stage; send: Stage | undefined; stderr: string }> {
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) =>
          !/^(MAIL_FROM|SMTP_|TEST_EMAIL|APP_URL|SENDGRID|MAILGUN|POSTMARK|RESEND|AWS_)/.test(k),
      ),
    ),
    MAIL_FROM: "App <noreply@app.test>",
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(sandbox.smtpPort),
    TEST_EMAIL: "doctor@inbox.test",
  };
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        "doctor",
        "--json",
        "--timeout",
        "5000",
        "--dns-zone",
        zoneFile,
        "--api-url",
        sandbox.url,
      ],
      { env },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", () => {
      const stages: Stage[] = (() => {
        try {
          return JSON.parse(stdout).stages;
        } catch {
          return [];
        }
      })();
      const tls = stages.find((s) => s.stage === "tls") ?? {
        stage: "tls",
        status: "missing",
        summary: stdout,
        evidence: [],
        causes: [],
      };
      resolve({ tls, send: stages.find((s) => s.stage === "send"), stderr });
    });
  });
}

const cases: Array<{ name: string; rule: unknown; status: string; match: RegExp }> = [
  {
    name: "expired certificate",
    rule: { stage: "tls", tls: { certificate: "expired" } },
    status: "fail",
    match: /certificate expired \d+ days ago/,
  },
  {
    name: "wrong-name certificate",
    rule: { stage: "tls", tls: { certificate: "wrong-name" } },
    status: "fail",
    match: /does not match 127\.0\.0\.1/,
  },
  {
    name: "untrusted certificate",
    rule: { stage: "tls", tls: { certificate: "untrusted" } },
    status: "warn",
    match: /does not verify: DEPTH_ZERO_SELF_SIGNED_CERT[\s\S]*self-signed/,
  },
  {
    name: "STARTTLS refused",
    rule: { stage: "tls", tls: { starttls: "refuse" } },
    status: "fail",
    match: /refused STARTTLS: 454 4\.7\.0/,
  },
  {
    name: "STARTTLS not offered",
    rule: { stage: "tls", tls: { starttls: "absent" } },
    status: "warn",
    match: /offers no TLS[\s\S]*STARTTLS is not offered/,
  },
  {
    name: "TLS 1.0 only",
    rule: { stage: "tls", tls: { versions: ["TLSv1"] } },
    status: "fail",
    match: /no TLS version in common/,
  },
  {
    name: "421 greeting",
    rule: { stage: "connect", reply: { code: 421 } },
    status: "fail",
    match: /refused the session at the greeting: 421 4\.7\.0[\s\S]*overloaded/,
  },
];

test.each(cases)("$name → tls $status", async ({ rule, status, match }) => {
  await faults([rule]);
  const { tls, stderr } = await doctorTls();
  expect(tls.status, stderr).toBe(status);
  expect(`${tls.summary}\n${tls.causes.join("\n")}`).toMatch(match);
});

test("STARTTLS required: doctor always upgrades, so the requirement is met and the send passes", async () => {
  await faults([{ stage: "tls", tls: { starttls: "require" } }]);
  const { tls, send } = await doctorTls();
  expect(tls.evidence[0]).toMatch(/^STARTTLS, TLSv1\.3/);
  expect(send?.status).toBe("pass");
});

test("TLS 1.2 only: the evidence shows the version negotiated", async () => {
  await faults([{ stage: "tls", tls: { versions: ["TLSv1.2"] } }]);
  const { tls } = await doctorTls();
  expect(tls.evidence[0]).toMatch(/^STARTTLS, TLSv1\.2/);
});
