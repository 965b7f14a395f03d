import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { CLI } from "../helpers/cli.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

// `mailproof doctor` against real sandboxes: each injected cause must be named by the right stage.
const OUTBOUND_IP = "203.0.113.5";
const dir = mkdtempSync(join(tmpdir(), "mailproof-doctor-"));
const FIXTURE_ZONE = JSON.parse(
  readFileSync(new URL("../../fixtures/dns/doctor-zone.json", import.meta.url), "utf8"),
) as Zone;

type Zone = Record<string, Record<string, unknown>>;
const healthyZone = (): Zone => ({
  "app.test": {
    MX: [{ exchange: "mx.app.test", priority: 10 }],
    TXT: [[`v=spf1 ip4:${OUTBOUND_IP} -all`]],
  },
  "mail._domainkey.app.test": FIXTURE_ZONE["mail._domainkey.app.test"],
  "_dmarc.app.test": { TXT: [["v=DMARC1; p=reject; rua=mailto:dmarc@app.test"]] },
  "www.acme-app.io": { A: ["198.51.100.7"] },
});

let sandbox: Sandbox;
let locked: Sandbox;
beforeAll(async () => {
  [sandbox, locked] = await Promise.all([
    startTestSandbox({ spfIp: OUTBOUND_IP, dnsZone: healthyZone() }),
    startTestSandbox({ smtpAuth: [{ user: "app", pass: "right" }] }),
  ]);
});
afterAll(() => Promise.all([sandbox.stop(), locked.stop()]));

interface Stage {
  name: string;
  status: string;
  summary: string;
  durationMs: number;
  cause?: { code: string; message: string };
  causes: string[];
  next: string[];
}

let zoneCounter = 0;
function zoneFile(zone: Zone): string {
  const file = join(dir, `zone-${++zoneCounter}.json`);
  writeFileSync(file, JSON.stringify(zone));
  return file;
}

function runDoctor(
  env: Record<string, string>,
  args: string[] = [],
  zone: Zone = healthyZone(),
): Promise<{
  code: number | null;
  stages: Stage[];
  stderr: string;
  version?: number;
  ok?: boolean;
}> {
  return new Promise((resolve) => {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) =>
          !/^(MAIL_FROM|SMTP_|TEST_EMAIL|APP_URL|SENDGRID|MAILGUN|POSTMARK|RESEND|AWS_)/.test(k),
      ),
    );
    const child = spawn(
      process.execPath,
      [
        CLI,
        "doctor",
        "--json",
        "--timeout",
        "3000",
        "--dns-zone",
        zoneFile(zone),
        "--spf-ip",
        OUTBOUND_IP,
        "--dkim-selector",
        "mail",
        "--api-url",
        sandbox.url,
        ...args,
      ],
      { env: { ...base, ...env } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (code) => {
      let report: { stages: Stage[]; version?: number; ok?: boolean } = { stages: [] };
      try {
        report = JSON.parse(stdout);
      } catch {
        // leave empty: the assertion below shows stderr
      }
      resolve({ code, stderr, ...report });
    });
  });
}

const healthyEnv = () => ({
  MAIL_FROM: "App <noreply@app.test>",
  SMTP_HOST: "127.0.0.1",
  SMTP_PORT: String(sandbox.smtpPort),
  SMTP_USER: "app",
  SMTP_PASSWORD: "secret",
  TEST_EMAIL: "doctor@inbox.test",
  APP_URL: "https://www.acme-app.io",
});

async function faults(rules: unknown[]) {
  const { status } = await api(sandbox, "/api/faults", {
    method: "PUT",
    body: JSON.stringify({ rules }),
    headers: { "content-type": "application/json" },
  });
  expect(status).toBe(200);
}

async function provider(name: string, state: Record<string, unknown>) {
  const { status } = await api(sandbox, `/api/providers/${name}`, {
    method: "PUT",
    body: JSON.stringify(state),
    headers: { "content-type": "application/json" },
  });
  expect(status).toBe(200);
}

const stage = (stages: Stage[], name: string) => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name} in ${JSON.stringify(stages)}`);
  return found;
};

// Every case starts a Node process; under load that alone can take many seconds.
const CLI_TIMEOUT = { timeout: 120_000 };

test(
  "a healthy setup passes every stage and the sandbox's verdicts are reported",
  CLI_TIMEOUT,
  async () => {
    const { code, stages, stderr, version, ok } = await runDoctor(healthyEnv());
    expect(stderr).toBe("");
    expect(version).toBe(1);
    expect(ok).toBe(true);
    expect(stages.map((s) => s.name)).toEqual([
      "env",
      "dns",
      "connect",
      "tls",
      "auth",
      "send",
      "verdict",
      "queue",
      "links",
    ]);
    // Not configured here: the queue is skipped, and the links stage says the email's links were not checked.
    expect(
      stages.filter(
        (s) =>
          s.status !== "pass" &&
          s.name !== "queue" &&
          !(s.name === "links" && s.cause?.code === "links.not-checked"),
      ),
    ).toEqual([]);
    expect(stage(stages, "send").summary).toMatch(/queued as/);
    expect(stage(stages, "tls").summary).toMatch(/self-signed certificate, expected locally/);
    for (const s of stages) expect(s.durationMs).toBeGreaterThanOrEqual(0);
    expect(code).toBe(0);
  },
);

test("the human report is a readable table", CLI_TIMEOUT, async () => {
  const result = await new Promise<string>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        "doctor",
        "--timeout",
        "3000",
        "--dns-zone",
        zoneFile(healthyZone()),
        "--spf-ip",
        OUTBOUND_IP,
      ],
      {
        env: { ...process.env, ...healthyEnv(), APP_URL: "http://localhost:3000" },
      },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.once("exit", () => resolve(out));
  });
  expect(result).toMatch(/^stage\s+status\s+finding$/m);
  expect(result).toMatch(/^links\s+FAIL\s+APP_URL points at localhost/m);
  expect(result).toMatch(/^ {2}next: {3}set APP_URL to the public URL/m);
  expect(result).toMatch(/FAILED: links/);
});

describe("injected causes are named by the right stage", CLI_TIMEOUT, () => {
  const cases: Array<{
    name: string;
    env?: (e: Record<string, string>) => Record<string, string>;
    zone?: (z: Zone) => Zone;
    args?: () => string[];
    setup?: () => Promise<void>;
    stage: string;
    match: RegExp;
  }> = [
    {
      name: "missing SMTP_HOST",
      env: ({ SMTP_HOST: _omitted, ...e }) => e,
      stage: "env",
      match: /SMTP_HOST is not set/,
    },
    {
      name: "wrong port (nothing listening)",
      env: (e) => ({ ...e, SMTP_PORT: "1" }),
      stage: "connect",
      match: /nothing is listening/,
    },
    {
      name: "wrong password (535)",
      env: (e) => ({ ...e, SMTP_PORT: String(locked.smtpPort), SMTP_PASSWORD: "wrong" }),
      stage: "auth",
      match: /rejected the credentials/,
    },
    {
      name: "TLS required but not used",
      setup: () =>
        faults([
          {
            stage: "auth",
            reply: {
              code: 538,
              message: "5.7.11 Encryption required for requested authentication mechanism",
            },
          },
        ]),
      stage: "auth",
      match: /requires TLS before AUTH/,
    },
    {
      name: "no SPF record",
      zone: (z) => ({ ...z, "app.test": { MX: z["app.test"].MX } }),
      stage: "dns",
      match: /no SPF record/,
    },
    {
      name: "SPF not including the sender",
      zone: (z) => ({
        ...z,
        "app.test": { ...z["app.test"], TXT: [["v=spf1 ip4:192.0.2.1 -all"]] },
      }),
      stage: "dns",
      match: /does not authorise/,
    },
    {
      name: "no DKIM key",
      zone: ({ "mail._domainkey.app.test": _, ...z }) => z,
      stage: "dns",
      match: /no DKIM key/,
    },
    {
      name: "APP_URL on localhost",
      env: (e) => ({ ...e, APP_URL: "http://localhost:3000" }),
      stage: "links",
      match: /APP_URL points at localhost/,
    },
    {
      name: "worker env differs from web env",
      args: () => {
        const file = join(dir, "worker.env");
        writeFileSync(
          file,
          Object.entries({ ...healthyEnv(), SMTP_PASSWORD: "old-secret" })
            .map(([k, v]) => `${k}="${v}"`)
            .join("\n"),
        );
        return ["--compare", file];
      },
      stage: "env",
      match: /SMTP_PASSWORD differs/,
    },
    {
      name: "unverified sender at a provider mock",
      env: ({ SMTP_HOST: _omitted, ...e }) => ({ ...e, SENDGRID_API_KEY: "SG.doctor" }),
      args: () => ["--sendgrid-url", `${sandbox.url}/sendgrid`],
      setup: () => provider("sendgrid", { verifiedSenders: ["someone-else.test"] }),
      stage: "provider:sendgrid",
      match: /sender .* is not verified/,
    },
    {
      name: "provider rate limit",
      env: ({ SMTP_HOST: _omitted, ...e }) => ({ ...e, RESEND_API_KEY: "re_doctor" }),
      args: () => ["--resend-url", `${sandbox.url}/resend`],
      setup: () => provider("resend", { faults: [{ status: 429, retryAfter: 30 }] }),
      stage: "provider:resend",
      match: /rate limited by the provider \(retry-after 30 s\)/,
    },
    {
      name: "suppressed recipient",
      env: ({ SMTP_HOST: _omitted, ...e }) => ({ ...e, POSTMARK_SERVER_TOKEN: "pm-doctor" }),
      args: () => ["--postmark-url", `${sandbox.url}/postmark`],
      setup: () => provider("postmark", { suppressions: ["doctor@inbox.test"] }),
      stage: "provider:postmark",
      match: /recipient is on the provider's suppression list/,
    },
    {
      name: "DMARC p=reject with misaligned From",
      setup: async () => {
        const zone = healthyZone();
        zone["app.test"].TXT = [["v=spf1 ip4:192.0.2.1 -all"]];
        await api(sandbox, "/api/dns", {
          method: "PUT",
          body: JSON.stringify(zone),
          headers: { "content-type": "application/json" },
        });
      },
      stage: "verdict",
      match: /DMARC fails with p=reject/,
    },
  ];

  test.each(cases)(
    "$name → $stage",
    async ({ env = (e) => e, zone = (z) => z, args = () => [], setup, stage: expected, match }) => {
      await setup?.();
      try {
        const { code, stages } = await runDoctor(env(healthyEnv()), args(), zone(healthyZone()));
        const failed = stage(stages, expected);
        expect(failed.status).toBe("fail");
        expect(failed.cause?.code).toMatch(/^[a-z]+\.[a-z-]+$/);
        expect(failed.next.length).toBeGreaterThan(0);
        expect(`${failed.summary}\n${failed.causes.join("\n")}`).toMatch(match);
        expect(code).toBe(1);
      } finally {
        await api(sandbox, "/api/dns", {
          method: "PUT",
          body: JSON.stringify(healthyZone()),
          headers: { "content-type": "application/json" },
        });
        for (const name of ["sendgrid", "resend", "postmark"])
          await api(sandbox, `/api/providers/${name}`, { method: "DELETE" });
        await faults([]);
      }
    },
  );
});
