import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createAuthAnalyzer } from "../../../src/analysis/auth/index.js";
import { createCompatibilityAnalyzer } from "../../../src/analysis/compatibility/index.js";
import { isFreeMail, isPlaceholderDomain } from "../../../src/analysis/headers/domains.js";
import { createHeadersAnalyzer } from "../../../src/analysis/headers/index.js";
import type { Envelope, Finding } from "../../../src/core/types.js";
import { fixturesDir, inputFor, readZone, zoneContext } from "./auth-fixture-message.js";

const dir = join(fixturesDir, "eml", "headers");
const envelopes = JSON.parse(readFileSync(join(dir, "envelopes.json"), "utf8")) as Record<
  string,
  Partial<Envelope>
>;
/** The fixtures are dated 2026-11-20 10:00 UTC; "received" five minutes later keeps the date rule quiet. */
const RECEIVED = new Date("2026-11-20T10:05:00Z");
const analyzers = [createHeadersAnalyzer(), createCompatibilityAnalyzer()];

async function findingsOf(name: string): Promise<Finding[]> {
  const raw = readFileSync(join(dir, name));
  const input = await inputFor(raw, { mailFrom: "orders@shop.test", ...envelopes[name] }, RECEIVED);
  const parts = await Promise.all(analyzers.map((a) => a.run(input, zoneContext({}))));
  return parts.flatMap((p) => p.findings ?? []);
}

const ruleFixtures = readdirSync(dir).filter((f) => f.endsWith(".eml") && f !== "clean.eml");

describe("header findings: one fixture per rule", () => {
  test("the clean message triggers no finding", async () => {
    expect(await findingsOf("clean.eml")).toEqual([]);
  });

  test.each(ruleFixtures)("%s", async (file) => {
    const rule = file.replace(/\.eml$/, "");
    const findings = await findingsOf(file);
    const hit = findings.find((f) => f.rule === rule);
    expect(hit, `findings were: ${findings.map((f) => f.rule).join(", ")}`).toBeDefined();
    expect(["error", "warning", "info"]).toContain(hit!.severity);
    expect(hit!.message.length).toBeGreaterThan(30);
  });

  test("every rule the issue lists has a fixture", () => {
    const rules = ruleFixtures.map((f) => f.replace(/\.eml$/, ""));
    for (const rule of [
      "header.message-id.missing",
      "header.message-id.duplicate",
      "header.date.missing",
      "header.date.invalid",
      "header.from.missing",
      "header.from.multiple",
      "header.from.free-mail",
      "header.envelope-sender-mismatch",
      "body.text-alternative-missing",
      "body.html-clipped",
      "header.subject.missing",
      "header.subject.too-long",
      "header.reply-to.invalid",
      "header.list-unsubscribe.missing",
      "header.list-unsubscribe-post.missing",
      "body.cid-missing",
      "attachment.executable",
      "header.8bit-without-smtputf8",
      "mime.line-too-long",
      "header.from.placeholder",
      "mime.boundary-unterminated",
    ])
      expect(rules).toContain(rule);
  });

  test("raw UTF-8 headers are fine when the client used SMTPUTF8", async () => {
    const input = await inputFor(
      readFileSync(join(dir, "header.8bit-without-smtputf8.eml")),
      { mailFrom: "orders@shop.test", smtpUtf8: true },
      RECEIVED,
    );
    const { findings } = await createHeadersAnalyzer().run(input, zoneContext({}));
    expect(findings!.map((f) => f.rule)).not.toContain("header.8bit-without-smtputf8");
  });

  test("a matching Content-ID satisfies a cid: reference", async () => {
    const raw = Buffer.from(
      "From: orders@shop.test\r\nTo: a@customer.test\r\nSubject: Logo\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <l@shop.test>\r\nMIME-Version: 1.0\r\n" +
        'Content-Type: multipart/related; boundary="r"\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<img src="cid:logo@shop.test">\r\n' +
        "--r\r\nContent-Type: image/png\r\nContent-ID: <logo@shop.test>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n",
    );
    const input = await inputFor(raw, { mailFrom: "orders@shop.test" }, RECEIVED);
    const { findings } = await createHeadersAnalyzer().run(input, zoneContext({}));
    expect(findings!.map((f) => f.rule)).not.toContain("body.cid-missing");
  });
});

describe("auth findings, from the authentication corpus", () => {
  const authDir = join(fixturesDir, "eml", "auth");
  const corpus = JSON.parse(readFileSync(join(authDir, "expected.json"), "utf8")) as Record<
    string,
    { envelope: { mailFrom: string; ip: string; helo: string } }
  >;
  const zone = readZone("auth-zone.json");

  test.each([
    ["auth.spf-record-missing", "spf-none.eml"],
    ["auth.spf-fail", "spf-fail.eml"],
    ["auth.spf-permerror", "spf-too-many-lookups.eml"],
    ["auth.dkim-missing", "spf-pass.eml"],
    ["auth.dkim-key-missing", "dkim-missing-key.eml"],
    ["auth.dkim-invalid", "dkim-body-tampered.eml"],
    ["auth.dmarc-record-missing", "dmarc-no-record.eml"],
    ["auth.dmarc-not-aligned", "dkim-esp-only.eml"],
  ])("%s from %s", async (rule, file) => {
    const { envelope } = corpus[file];
    const input = await inputFor(readFileSync(join(authDir, file)), {
      mailFrom: envelope.mailFrom,
      remoteAddress: envelope.ip,
      helo: envelope.helo,
    });
    const { findings } = await createAuthAnalyzer().run(input, zoneContext(zone));
    expect(findings!.map((f) => f.rule)).toContain(rule);
  });

  test("a fully authenticated message has no auth findings", async () => {
    const { envelope } = corpus["dkim-two-signatures.eml"];
    const input = await inputFor(readFileSync(join(authDir, "dkim-two-signatures.eml")), {
      mailFrom: envelope.mailFrom,
      remoteAddress: "192.0.2.10",
      helo: envelope.helo,
    });
    const { findings } = await createAuthAnalyzer().run(input, zoneContext(zone));
    expect(findings).toEqual([]);
  });

  test("a DNS timeout reads temperror and is reported, and absent-record rules stay silent", async () => {
    const broken = {
      ...zone,
      "_dmarc.shop.test": { TXT: { error: "ETIMEOUT" } },
      "shop.test": { TXT: { error: "ETIMEOUT" } },
    };
    const { envelope } = corpus["spf-pass.eml"];
    const input = await inputFor(readFileSync(join(authDir, "spf-pass.eml")), {
      mailFrom: envelope.mailFrom,
      remoteAddress: envelope.ip,
      helo: envelope.helo,
    });
    const { auth, findings } = await createAuthAnalyzer().run(input, zoneContext(broken));
    expect(auth!.spf!.result).toBe("temperror");
    expect(auth!.dmarc!.result).toBe("temperror");
    const rules = findings!.map((f) => f.rule);
    expect(rules).toContain("auth.dns-temperror");
    expect(rules).not.toContain("auth.spf-record-missing");
    expect(rules).not.toContain("auth.dmarc-record-missing");
  });
});

describe("sender domain lists", () => {
  test.each([
    ["gmail.com", true],
    ["yahoo.co.uk", true],
    ["hotmail.fr", true],
    ["live.com.au", true],
    ["outlook.mycompany.com", false],
    ["shop.test", false],
    ["mail.google.com", false],
  ])("free mail: %s → %s", (domain, expected) => {
    expect(isFreeMail(domain)).toBe(expected);
  });

  test.each([
    ["example.com", true],
    ["mail.example.org", true],
    ["app.localhost", true],
    ["localhost", true],
    ["printer.local", true],
    ["intranet", true],
    ["shop.test", false],
    ["example-shop.com", false],
  ])("placeholder: %s → %s", (domain, expected) => {
    expect(isPlaceholderDomain(domain)).toBe(expected);
  });
});
