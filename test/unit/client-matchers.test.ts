import { describe, expect, test } from "vitest";
import "../../src/client/vitest.js";
import type { Analysis, AuthAnalysis, LinkInfo, Message } from "../../src/core/types.js";

/** A message as the API returns it, with only the analysis varied. */
function message(analysis: Partial<Analysis>): Pick<Message, "id" | "subject" | "analysis"> {
  return {
    id: "01M8TEST00000000000000000",
    subject: "Reset your password",
    analysis: {
      status: "done",
      auth: null,
      links: [],
      codes: [],
      findings: [],
      receivers: [],
      ...analysis,
    },
  };
}

const passing: AuthAnalysis = {
  dkim: [{ domain: "saas.example", selector: "mail2026", result: "pass", aligned: true }],
  spf: { result: "pass", domain: "saas.example", ip: "192.0.2.25" },
  dmarc: {
    result: "pass",
    policy: "reject",
    domain: "saas.example",
    alignment: { dkim: true, spf: true },
  },
  arc: null,
};
const failing: AuthAnalysis = {
  dkim: [
    {
      domain: "saas.example",
      selector: "mail2026",
      result: "neutral",
      aligned: true,
      comment: "body hash did not verify",
    },
  ],
  spf: { result: "softfail", domain: "saas.example", ip: "203.0.113.9" },
  dmarc: {
    result: "fail",
    policy: "reject",
    domain: "saas.example",
    alignment: { dkim: false, spf: false },
  },
  arc: null,
};

function link(partial: Partial<LinkInfo>): LinkInfo {
  return {
    url: "https://app.example/x",
    text: null,
    kind: "other",
    host: "app.example",
    https: true,
    checks: [],
    ...partial,
  };
}

describe("toPassDmarc / toPassDkim / toPassSpf", () => {
  test("pass on passing verdicts, and .not fails showing them", () => {
    expect(message({ auth: passing })).toPassDmarc();
    expect(message({ auth: passing })).toPassDkim();
    expect(message({ auth: passing })).toPassDkim({ domain: "SAAS.example" });
    expect(message({ auth: passing })).toPassSpf();
    expect(() => expect(message({ auth: passing })).not.toPassDmarc()).toThrow(
      /not to pass DMARC, but it did:\n {2}DMARC: pass p=reject/,
    );
  });

  test("a DMARC failure shows DMARC, every DKIM signature with its reason, and SPF", () => {
    const error = (() => {
      try {
        expect(message({ auth: failing })).toPassDmarc();
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toBe(
      [
        'expected "Reset your password" (01M8TEST00000000000000000) to pass DMARC, but it did not:',
        "  DMARC: fail p=reject domain=saas.example aligned: dkim=false spf=false",
        "  DKIM:  neutral d=saas.example s=mail2026 aligned (body hash did not verify)",
        "  SPF:   softfail domain=saas.example ip=203.0.113.9",
      ].join("\n"),
    );
    expect(message({ auth: failing })).not.toPassDmarc();
    expect(message({ auth: failing })).not.toPassDkim();
    expect(message({ auth: failing })).not.toPassSpf();
  });

  test("DKIM for a domain needs a passing signature of that domain", () => {
    const auth = {
      ...passing,
      dkim: [{ domain: "esp.example", selector: "s1", result: "pass" as const, aligned: false }],
    };
    expect(message({ auth })).toPassDkim();
    expect(() => expect(message({ auth })).toPassDkim({ domain: "saas.example" })).toThrow(
      /to pass DKIM for d=saas\.example[\s\S]*DKIM: {2}pass d=esp\.example s=s1 not aligned/,
    );
    expect(() => expect(message({ auth: { ...passing, dkim: [] } })).toPassDkim()).toThrow(
      /DKIM: {2}none \(the message is not signed\)/,
    );
  });

  test("missing verdicts fail with and without .not, saying why", () => {
    expect(() => expect(message({ auth: null })).toPassDmarc()).toThrow(
      /no authentication verdicts: the sandbox ran no authentication analysis/,
    );
    expect(() => expect(message({ auth: null })).not.toPassDmarc()).toThrow(
      /no authentication verdicts/,
    );
    expect(() => expect(message({ status: "pending" })).not.toPassSpf()).toThrow(
      /analysis is still pending/,
    );
    expect(() => expect({ subject: "x" }).not.toPassDkim()).toThrow(/expected a mailproof message/);
    expect(() => expect(null).toPassDmarc()).toThrow(
      /expected a mailproof message \(from waitFor or get\), received null/,
    );
  });
});

describe("toHaveLink", () => {
  const links = [
    link({ kind: "reset", url: "https://app.example/reset?t=1" }),
    link({
      kind: "unsubscribe",
      url: "http://lists.example/u",
      host: "lists.example",
      https: false,
    }),
  ];

  test("matches on every given property", () => {
    expect(message({ links })).toHaveLink();
    expect(message({ links })).toHaveLink({ kind: "reset" });
    expect(message({ links })).toHaveLink({ kind: "reset", host: "APP.example", https: true });
    expect(message({ links })).not.toHaveLink({ kind: "reset", https: false });
    expect(message({ links })).not.toHaveLink({ kind: "verify" });
  });

  test("a failure lists the links found; .not names the offending one", () => {
    expect(() => expect(message({ links })).toHaveLink({ kind: "verify" })).toThrow(
      'to have a link {"kind":"verify"}; its links:\n  reset       https https://app.example/reset?t=1\n  unsubscribe http  http://lists.example/u',
    );
    expect(() => expect(message({ links: [] })).toHaveLink({ kind: "verify" })).toThrow(
      /it has no links/,
    );
    expect(() => expect(message({ links })).not.toHaveLink({ https: false })).toThrow(
      /not to have a link \{"https":false\}, but it has http:\/\/lists\.example\/u/,
    );
  });
});

describe("toHaveNoFindings", () => {
  const findings = [
    {
      rule: "headers.list-unsubscribe",
      severity: "warning" as const,
      message: "no List-Unsubscribe header",
    },
    { rule: "html.alt-text", severity: "info" as const, message: "an image has no alt text" },
  ];

  test("a severity sets the floor: error > warning > info", () => {
    expect(message({ findings: [] })).toHaveNoFindings();
    expect(message({ findings })).toHaveNoFindings("error");
    expect(message({ findings })).not.toHaveNoFindings("warning");
    expect(message({ findings })).not.toHaveNoFindings();
  });

  test("a failure lists the findings at or above the severity", () => {
    expect(() => expect(message({ findings })).toHaveNoFindings("warning")).toThrow(
      "to have no findings of severity warning or worse, but it has 1:\n  warning headers.list-unsubscribe: no List-Unsubscribe header",
    );
    // @ts-expect-error a wrong severity is reported, not ignored
    expect(() => expect(message({ findings })).not.toHaveNoFindings("fatal")).toThrow(
      /severity must be "error", "warning" or "info"/,
    );
  });
});
