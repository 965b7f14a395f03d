import { describe, expect, test } from "vitest";
import { createAuthAnalyzer } from "../../../src/analysis/auth/index.js";
import { inputFor, zoneContext } from "./auth-fixture-message.js";

/** An unsigned message from an app on this machine, before its domain has any mail DNS. */

const raw = Buffer.from(
  [
    "From: Acme <no-reply@myapp.test>",
    "To: ann@example.net",
    "Subject: Reset your password",
    "MIME-Version: 1.0",
    "Content-Type: text/plain",
    "",
    "Reset: https://myapp.test/reset?token=abc",
    "",
  ].join("\r\n"),
);
const SETUP_RULES = [
  "auth.spf-record-missing",
  "auth.dkim-missing",
  "auth.dmarc-record-missing",
  "auth.dmarc-not-aligned",
];

describe("local development", () => {
  test("one informational finding replaces the setup warnings, and each receiver says it is expected", async () => {
    const input = await inputFor(raw, {
      mailFrom: "no-reply@myapp.test",
      remoteAddress: "127.0.0.1",
    });
    const { findings, receivers } = await createAuthAnalyzer().run(input, zoneContext({}));
    expect(findings).toEqual([
      expect.objectContaining({
        rule: "auth.local-development",
        severity: "info",
        message: expect.stringContaining("expected in local development"),
      }),
    ]);
    expect(receivers!.map((r) => [r.name, r.verdict, r.reasons.length])).toEqual([
      ["gmail", "reject", 1],
      ["yahoo", "reject", 1],
      ["outlook", "spam-risk", 1],
    ]);
    for (const receiver of receivers!)
      expect(receiver.reasons[0]).toMatch(/^expected in local development/);
  });

  test("from a public IP the same message gets every finding: that is a setup to fix", async () => {
    const input = await inputFor(raw, {
      mailFrom: "no-reply@myapp.test",
      remoteAddress: "192.0.2.10",
    });
    const { findings, receivers } = await createAuthAnalyzer().run(input, zoneContext({}));
    expect(findings!.map((f) => f.rule)).toEqual(expect.arrayContaining(SETUP_RULES));
    expect(findings!.map((f) => f.rule)).not.toContain("auth.local-development");
    expect(receivers!.find((r) => r.name === "gmail")!.reasons.length).toBeGreaterThan(1);
  });

  test("once the domain publishes SPF, it is no longer treated as local development", async () => {
    const input = await inputFor(raw, {
      mailFrom: "no-reply@myapp.test",
      remoteAddress: "127.0.0.1",
    });
    const { findings } = await createAuthAnalyzer().run(
      input,
      zoneContext({ "myapp.test": { TXT: [["v=spf1 -all"]] } }),
    );
    const rules = findings!.map((f) => f.rule);
    expect(rules).toEqual(
      expect.arrayContaining(["auth.dkim-missing", "auth.dmarc-record-missing"]),
    );
    expect(rules).not.toContain("auth.spf-record-missing");
  });
});
