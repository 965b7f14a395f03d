import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { runDoctorInProcess, stageOf } from "../helpers/doctor.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

// `mailproof doctor` against a sandbox with each TLS fault rule: the stage and cause code that name it.
const zone = new URL("../../fixtures/dns/doctor-zone.json", import.meta.url).pathname;
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  // The test certificates are made on first use; made now, their cost does not count against doctor's timeout.
  expect((await api(sandbox, "/api/tls/ca.pem")).status).toBe(200);
});
afterAll(() => sandbox?.stop());
beforeEach(() => faults([]));

async function faults(rules: unknown[]) {
  const { status } = await api(sandbox, "/api/faults", {
    method: "PUT",
    body: JSON.stringify({ rules }),
    headers: { "content-type": "application/json" },
  });
  expect(status).toBe(200);
}

const doctor = (extra: Record<string, string> = {}) =>
  runDoctorInProcess(
    {
      MAIL_FROM: "App <noreply@app.test>",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(sandbox.smtpPort),
      TEST_EMAIL: "doctor@inbox.test",
      ...extra,
    },
    { zoneFile: zone, timeoutMs: 5000, spfIp: "203.0.113.5" },
  );

const cases: Array<{
  name: string;
  rule: unknown;
  env?: Record<string, string>;
  stage: string;
  cause: string;
}> = [
  {
    name: "expired certificate",
    rule: { stage: "tls", tls: { certificate: "expired" } },
    stage: "tls",
    cause: "tls.cert-expired",
  },
  {
    name: "wrong-name certificate",
    rule: { stage: "tls", tls: { certificate: "wrong-name" } },
    stage: "tls",
    cause: "tls.cert-name-mismatch",
  },
  {
    name: "STARTTLS refused",
    rule: { stage: "tls", tls: { starttls: "refuse" } },
    stage: "tls",
    cause: "tls.starttls-refused",
  },
  {
    name: "STARTTLS not offered, with credentials",
    rule: { stage: "tls", tls: { starttls: "absent" } },
    env: { SMTP_USER: "app", SMTP_PASSWORD: "secret" },
    stage: "tls",
    cause: "tls.starttls-missing",
  },
  {
    name: "TLS 1.0 only",
    rule: { stage: "tls", tls: { versions: ["TLSv1"] } },
    stage: "tls",
    cause: "tls.handshake-failed",
  },
  {
    name: "421 greeting",
    rule: { stage: "connect", reply: { code: 421 } },
    stage: "connect",
    cause: "smtp.greeting-rejected",
  },
];

test.each(cases)("$name → $stage $cause", async ({ rule, env, stage, cause }) => {
  await faults([rule]);
  const run = await doctor(env);
  const found = stageOf(run, stage);
  expect(found.cause?.code, JSON.stringify(found)).toBe(cause);
});

test("untrusted certificate: doctor takes it for the sandbox's expected self-signed one, and shows why it does not verify", async () => {
  await faults([{ stage: "tls", tls: { certificate: "untrusted" } }]);
  const tls = stageOf(await doctor(), "tls");
  expect(tls.status).toBe("pass");
  expect(tls.evidence.join("\n")).toMatch(/not verifiable: DEPTH_ZERO_SELF_SIGNED_CERT/);
});

test("STARTTLS required: doctor always upgrades, so the requirement is met and the send passes", async () => {
  await faults([{ stage: "tls", tls: { starttls: "require" } }]);
  const run = await doctor();
  expect(stageOf(run, "tls").evidence[0]).toMatch(/^STARTTLS, TLSv1\.3/);
  expect(stageOf(run, "send").status).toBe("pass");
});

test("TLS 1.2 only: the evidence shows the version negotiated", async () => {
  await faults([{ stage: "tls", tls: { versions: ["TLSv1.2"] } }]);
  expect(stageOf(await doctor(), "tls").evidence[0]).toMatch(/^STARTTLS, TLSv1\.2/);
});
