import { afterAll, beforeAll, expect, it } from "vitest";
import { createDnsZone, createResolver } from "../../src/analysis/dns/index.js";
import { runDoctor } from "../../src/doctor/run-doctor.js";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/** `mailproof doctor --api-token`: the verdict stage reads the test message from a token-guarded sandbox. */
const TOKEN = "doctor-token-2c7e";
const zone = {
  "app.test": {
    MX: [{ exchange: "mx.app.test", priority: 10 }],
    TXT: [["v=spf1 ip4:127.0.0.1 -all"]],
  },
  "_dmarc.app.test": { TXT: [["v=DMARC1; p=none"]] },
};
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ apiToken: TOKEN, dnsZone: zone });
});
afterAll(async () => {
  await sandbox?.stop();
});

async function verdict(apiToken: string | null) {
  const stages = await runDoctor({
    env: {
      MAIL_FROM: "noreply@app.test",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(sandbox.smtpPort),
      TEST_EMAIL: "doctor@auth.test",
    },
    envLabel: "test",
    compare: null,
    to: null,
    dkimSelectors: ["mail"],
    resolver: createResolver(createDnsZone(zone), { modes: ["zone"] }),
    spfIp: "127.0.0.1",
    apiUrl: sandbox.url,
    apiToken,
    providerUrls: {},
    timeoutMs: 5000,
  });
  return stages.find((s) => s.stage === "verdict");
}

it("says the sandbox wants credentials when no token is given", async () => {
  const stage = await verdict(null);
  expect(stage?.status).toBe("warn");
  expect(stage?.summary).toContain("wants credentials (HTTP 401)");
  expect(stage?.next.join(" ")).toContain("--api-token");
});

it("says the token was refused when it is wrong", async () => {
  const stage = await verdict("wrong-token");
  expect(stage?.summary).toContain("HTTP 401");
  expect(stage?.next.join(" ")).toContain("refused");
});

it("reads the test message's verdicts with the token", async () => {
  const stage = await verdict(TOKEN);
  expect(stage?.summary).not.toContain("401");
  expect(stage?.evidence[0]).toMatch(/^message \S+/);
  expect(stage?.evidence.join("\n")).toContain("DMARC:");
});
