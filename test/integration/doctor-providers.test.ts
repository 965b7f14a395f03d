import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDnsZone, createResolver } from "../../src/analysis/dns/index.js";
import { runDoctor } from "../../src/doctor/run-doctor.js";
import type { StageResult } from "../../src/doctor/types.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api } from "../helpers/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

// Provider account states, set through `PUT /api/providers/:name` and answered by each mock in the
// provider's own error format, must each be named by doctor's provider stage.
type Provider = "sendgrid" | "mailgun" | "postmark" | "resend" | "ses";
const TO = "doctor@inbox.test";
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox?.stop());

const keys: Record<Provider, Record<string, string>> = {
  sendgrid: { SENDGRID_API_KEY: "SG.doctor" },
  mailgun: { MAILGUN_API_KEY: "key-doctor", MAILGUN_DOMAIN: "app.test" },
  postmark: { POSTMARK_SERVER_TOKEN: "pm-doctor" },
  resend: { RESEND_API_KEY: "re_doctor" },
  ses: {
    AWS_ACCESS_KEY_ID: "AKIADOCTOR",
    AWS_SECRET_ACCESS_KEY: "doctor-secret",
    AWS_REGION: "us-east-1",
  },
};

async function setState(provider: Provider, state: Record<string, unknown> | null) {
  const init = state
    ? {
        method: "PUT",
        body: JSON.stringify(state),
        headers: { "content-type": "application/json" },
      }
    : { method: "DELETE" };
  const { status, body } = await api(sandbox, `/api/providers/${provider}`, init);
  if (status !== 200)
    throw new Error(`PUT /api/providers/${provider}: ${status} ${JSON.stringify(body)}`);
}

async function providerStage(
  provider: Provider,
  env: Record<string, string> = {},
): Promise<StageResult> {
  const stages = await runDoctor({
    env: { MAIL_FROM: "noreply@app.test", TEST_EMAIL: TO, ...keys[provider], ...env },
    envLabel: "test",
    compare: null,
    to: null,
    dkimSelectors: ["mail"],
    resolver: createResolver(createDnsZone({}), { modes: ["zone"] }),
    spfIp: null,
    apiUrl: null,
    providerUrls: { [provider]: `${sandbox.url}/${provider}` },
    timeoutMs: 5000,
  });
  return stages.find((s) => s.stage === `provider:${provider}`)!;
}

interface Case {
  state: string;
  set: Record<string, unknown>;
  env?: Partial<Record<Provider, Record<string, string>>>;
  code: string;
  summary?: RegExp;
}
const states: Case[] = [
  {
    state: "an invalid or revoked key",
    set: { apiKeys: ["another-key"] },
    code: "provider.invalid-key",
  },
  {
    state: "an unverified sender or domain",
    set: { verifiedSenders: ["someone-else.test"] },
    code: "provider.sender-unverified",
  },
  {
    state: "sandbox mode",
    set: {
      sandbox: true,
      verifiedSenders: ["app.test", "resend.dev", "sandbox0a1b.mailgun.org", "owner@app.test"],
    },
    env: {
      resend: { MAIL_FROM: "onboarding@resend.dev" },
      mailgun: {
        MAILGUN_DOMAIN: "sandbox0a1b.mailgun.org",
        MAIL_FROM: "postmaster@sandbox0a1b.mailgun.org",
      },
    },
    code: "provider.sandbox",
  },
  {
    state: "a paused account or one out of credits",
    set: { paused: true },
    code: "provider.account-paused",
  },
  {
    state: "a recipient on the suppression list",
    set: { suppressions: [TO] },
    code: "provider.suppressed",
  },
  {
    state: "a rate limit",
    set: { faults: [{ status: 429, retryAfter: 30 }] },
    code: "provider.rate-limited",
    summary: /./,
  },
];

// Providers run concurrently; each provider's states run in turn, since they share its mock's state.
describe.concurrent("provider account states", () => {
  for (const provider of ["sendgrid", "mailgun", "postmark", "resend", "ses"] as const) {
    test(provider, async ({ expect }) => {
      await setState(provider, null);
      const healthy = await providerStage(provider);
      expect(healthy.status, JSON.stringify(healthy)).toBe("pass");
      for (const { state, set, env, code } of states) {
        await setState(provider, set);
        try {
          const found = await providerStage(provider, env?.[provider]);
          expect.soft(found.status, `${provider}, ${state}: ${JSON.stringify(found)}`).toBe("fail");
          expect.soft(found.code, `${provider}, ${state}: ${JSON.stringify(found)}`).toBe(code);
          expect.soft(found.next.length, `${provider}, ${state}`).toBeGreaterThan(0);
          if (code === "provider.rate-limited")
            expect
              .soft(found.causes.join(" "), `${provider}, ${state}`)
              .toMatch(/retry-after 30 s/);
        } finally {
          await setState(provider, null);
        }
      }
    });
  }
});

test("a test domain that accepts the send is still named: it will refuse real users", async () => {
  await setState("resend", null);
  const found = await providerStage("resend", { MAIL_FROM: "onboarding@resend.dev" });
  expect(found.status).toBe("warn");
  expect(found.code).toBe("provider.sandbox");
});
