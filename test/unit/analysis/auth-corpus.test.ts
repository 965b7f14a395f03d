import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createAuthAnalyzer } from "../../../src/analysis/auth/index.js";
import type { AuthAnalysis } from "../../../src/core/types.js";
import { fixturesDir, inputFor, readZone, zoneContext } from "./auth-fixture-message.js";

/** Expected verdicts written next to each fixture by fixtures/make-auth-fixtures.mjs. */
interface Expectation {
  about: string;
  envelope: { mailFrom: string; ip: string; helo: string };
  expect: {
    dkim: Array<string | string[]>;
    aligned?: boolean[];
    spf: string;
    dmarc: string;
    policy?: string;
    subdomainPolicy?: string;
    alignment?: { dkim: boolean; spf: boolean };
    arc?: string;
  };
}

const dir = join(fixturesDir, "eml", "auth");
const corpus = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<
  string,
  Expectation
>;
const zone = readZone("auth-zone.json");
const analyzer = createAuthAnalyzer();

async function verify(name: string, { envelope }: Expectation): Promise<AuthAnalysis> {
  const input = await inputFor(readFileSync(join(dir, name)), {
    mailFrom: envelope.mailFrom,
    remoteAddress: envelope.ip,
    helo: envelope.helo,
  });
  const result = await analyzer.run(input, zoneContext(zone));
  return result.auth!;
}

describe("authentication fixture corpus", () => {
  test("covers every case the verify issue lists", () => {
    const names = Object.keys(corpus);
    for (const prefix of [
      "dkim-pass-relaxed",
      "dkim-pass-simple",
      "dkim-body-tampered",
      "dkim-header-tampered",
      "dkim-wrong-key",
      "dkim-missing-key",
      "dkim-two-signatures",
      "dmarc-reject",
      "dmarc-quarantine",
      "dmarc-none",
      "dmarc-subdomain-policy",
      "dmarc-relaxed-pass",
      "dmarc-strict-fail",
      "spf-pass",
      "spf-fail",
      "spf-softfail",
      "spf-include",
      "spf-redirect",
      "spf-too-many-lookups",
      "spf-void-lookups",
      "arc-forward",
    ]) {
      expect(names).toContain(`${prefix}.eml`);
    }
  });

  test.each(Object.entries(corpus))("%s", async (name, expectation) => {
    const auth = await verify(name, expectation);
    const want = expectation.expect;
    expect(
      auth.dkim.map((d) => d.result),
      "DKIM results",
    ).toHaveLength(want.dkim.length);
    want.dkim.forEach((allowed, i) =>
      expect([allowed].flat(), `DKIM signature ${i}: ${auth.dkim[i].comment}`).toContain(
        auth.dkim[i].result,
      ),
    );
    if (want.aligned) expect(auth.dkim.map((d) => d.aligned)).toEqual(want.aligned);
    expect(auth.spf!.result, `SPF: ${auth.spf!.comment}`).toBe(want.spf);
    expect(auth.spf!.ip).toBe(expectation.envelope.ip);
    expect(auth.dmarc!.result, `DMARC: ${auth.dmarc!.comment}`).toBe(want.dmarc);
    if (want.policy) expect(auth.dmarc!.policy).toBe(want.policy);
    if (want.subdomainPolicy) expect(auth.dmarc!.subdomainPolicy).toBe(want.subdomainPolicy);
    if (want.alignment) expect(auth.dmarc!.alignment).toEqual(want.alignment);
    if (want.arc) expect(auth.arc!.result).toBe(want.arc);
    expect(auth.authenticationResults).toMatch(
      new RegExp(`^mailproof;[\\s\\S]*dmarc=${want.dmarc}\\b`),
    );
  });
});

describe("DESIGN: DKIM on a modified body is never pass", () => {
  test.each(["dkim-body-tampered.eml", "arc-forward.eml", "dkim-simple-whitespace.eml"])(
    "%s",
    async (name) => {
      const auth = await verify(name, corpus[name]);
      expect(["neutral", "fail"]).toContain(auth.dkim[0].result);
    },
  );
});

describe("which IP SPF evaluates", () => {
  const name = "spf-fail.eml";
  const { envelope } = corpus[name];
  const input = () =>
    inputFor(readFileSync(join(dir, name)), {
      mailFrom: envelope.mailFrom,
      remoteAddress: envelope.ip,
      helo: envelope.helo,
    });

  test("the connecting IP by default", async () => {
    const { auth } = await analyzer.run(await input(), zoneContext(zone));
    expect(auth!.spf).toMatchObject({ result: "fail", ip: envelope.ip });
  });

  test("--spf-ip overrides it: the provider's outbound IP passes", async () => {
    const { auth } = await analyzer.run(await input(), zoneContext(zone, { spfIp: "192.0.2.10" }));
    expect(auth!.spf).toMatchObject({ result: "pass", ip: "192.0.2.10", domain: "shop.test" });
    expect(auth!.dmarc).toMatchObject({ result: "pass", alignment: { dkim: false, spf: true } });
  });

  test("no IP at all (an upload): SPF reads none and says why", async () => {
    const upload = await inputFor(readFileSync(join(dir, name)), {
      mailFrom: null,
      remoteAddress: null,
      helo: null,
    });
    const { auth } = await analyzer.run(upload, zoneContext(zone));
    expect(auth!.spf).toMatchObject({ result: "none", ip: null });
    expect(auth!.spf!.comment).toMatch(/--spf-ip/);
  });
});
