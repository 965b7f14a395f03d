import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDnsZone, createResolver } from "../../src/analysis/dns/index.js";
import { checkDns } from "../../src/doctor/stage-dns.js";
import type { Sandbox } from "../../src/sandbox.js";
import { runDoctorCli, stageOf } from "../helpers/doctor.js";
import { startTestSandbox } from "../helpers/sandbox.js";

// DNS is validated, not just looked up: each broken record in fixtures/dns/doctor-zone.json is named.
const ZONE_FILE = new URL("../../fixtures/dns/doctor-zone.json", import.meta.url).pathname;
const resolver = createResolver(createDnsZone(JSON.parse(readFileSync(ZONE_FILE, "utf8"))), {
  modes: ["zone"],
});
const OUTBOUND_IP = "203.0.113.5";

const dns = (from: string, extra: Partial<Parameters<typeof checkDns>[1]> = {}) =>
  checkDns(resolver, {
    from,
    smtpHost: null,
    spfIp: OUTBOUND_IP,
    providers: [],
    dkimSelectors: ["mail"],
    envelopeDomains: [],
    ...extra,
  });

describe.concurrent("DNS causes", () => {
  test.each([
    {
      name: "an SPF syntax error",
      from: "a@spf-syntax.test",
      code: "dns.spf-syntax",
      summary: /"incldue:_spf\.esp\.test" is not an SPF mechanism/,
    },
    {
      name: "two SPF records",
      from: "a@spf-two.test",
      code: "dns.spf-multiple",
      summary: /has 2 SPF records/,
    },
    {
      name: "more than 10 DNS lookups",
      from: "a@spf-lookups.test",
      code: "dns.spf-too-many-lookups",
      summary: /needs 11 DNS lookups, over the limit of 10/,
    },
    {
      name: "+all",
      from: "a@spf-all.test",
      code: "dns.spf-pass-all",
      summary: /"\+all": it authorises every server/,
    },
    {
      name: "a DKIM key that does not parse",
      from: "a@dkim-bad.test",
      code: "dns.dkim-bad-key",
      summary: /mail\._domainkey\.dkim-bad\.test: p= is base64 but not an RSA public key/,
    },
    {
      name: "a DKIM key that is too short",
      from: "a@dkim-weak.test",
      code: "dns.dkim-weak-key",
      summary: /the RSA key is 512 bits/,
    },
    {
      name: "a DMARC syntax error",
      from: "a@dmarc-syntax.test",
      code: "dns.dmarc-syntax",
      summary:
        /p=monitor is not none, quarantine or reject; rua=dmarc@dmarc-syntax\.test must be mailto:/,
    },
    {
      name: "two DMARC records",
      from: "a@dmarc-two.test",
      code: "dns.dmarc-multiple",
      summary: /has 2 DMARC records/,
    },
    {
      name: "p=none without rua",
      from: "a@dmarc-none.test",
      code: "dns.dmarc-no-rua",
      summary: /p=none and no rua/,
    },
  ])("$name", async ({ from, code, summary }) => {
    const stage = await dns(from);
    expect(stage.status, JSON.stringify(stage)).toBe("fail");
    expect(stage.code).toBe(code);
    expect(stage.summary).toMatch(summary);
    expect(stage.next.length).toBeGreaterThan(0);
  });

  test("the provider's implied selector is checked (SendGrid s1/s2) when none is named", async () => {
    const stage = await dns("a@sendgrid.app.test", {
      dkimSelectors: null,
      providers: ["sendgrid"],
      spfIp: null,
    });
    expect(stage.code).toBe("dns.dkim-weak-key");
    expect(stage.summary).toMatch(/s1\._domainkey\.sendgrid\.app\.test/);
  });

  test("a Mailgun sending domain outside the From domain is misaligned", async () => {
    const stage = await dns("noreply@app.test", {
      envelopeDomains: [{ domain: "mg.other.test", via: "MAILGUN_DOMAIN" }],
    });
    expect(stage.code).toBe("dns.misaligned");
    expect(stage.summary).toMatch(
      /MAILGUN_DOMAIN mg\.other\.test does not align with the From domain app\.test/,
    );
    expect(
      (
        await dns("noreply@app.test", {
          envelopeDomains: [{ domain: "mg.app.test", via: "MAILGUN_DOMAIN" }],
        })
      ).status,
    ).toBe("pass");
  });

  test("a healthy domain passes", async () => {
    const stage = await dns("noreply@app.test");
    expect(stage.status, JSON.stringify(stage)).toBe("pass");
  });

  test("a local dev domain without records is info, not a failure", async () => {
    const stage = await dns("noreply@myapp.test");
    expect(stage.status).toBe("info");
    expect(stage.code).toBe("dns.local-domain");
  });

  test("someone else's domain (gmail.com) gets no advice to publish records there", async () => {
    const stage = await dns("someone@gmail.com");
    expect(stage.code).toBe("dns.freemail-from");
    expect(JSON.stringify(stage)).not.toMatch(/publish[^"]*gmail\.com/i);
  });

  test("a loopback SMTP host is never advised as ip4:127.0.0.1", async () => {
    const stage = await dns("noreply@app.test", { spfIp: null, smtpHost: "127.0.0.1" });
    expect(JSON.stringify(stage)).not.toMatch(/ip4:127\.0\.0\.1/);
    expect(stage.evidence.join("\n")).toMatch(/SPF not evaluated for 127\.0\.0\.1/);
  });
});

describe("through the CLI", { timeout: 120_000 }, () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox?.stop());

  test("a DNS failure alone makes doctor exit 1", async () => {
    const run = await runDoctorCli(
      {
        MAIL_FROM: "noreply@spf-all.test",
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(sandbox.smtpPort),
        TEST_EMAIL: "doctor@inbox.test",
      },
      [
        "--json",
        "--dns-zone",
        ZONE_FILE,
        "--spf-ip",
        OUTBOUND_IP,
        "--dkim-selector",
        "mail",
        "--timeout",
        "3000",
      ],
    );
    expect(run.stages.filter((s) => s.status === "fail").map((s) => s.name)).toEqual(["dns"]);
    expect(stageOf(run, "dns").cause?.code).toBe("dns.spf-pass-all");
    expect(run.code).toBe(1);
  });
});
