import { describe, expect, test } from "vitest";
import { createDnsZone, createResolver } from "../../../src/analysis/dns/index.js";
import {
  createReverseDnsCheck,
  evaluateReceivers,
  isLocalDevelopment,
  reverseName,
  type ReceiverFacts,
} from "../../../src/analysis/receivers/index.js";
import type { AuthAnalysis, AuthResult } from "../../../src/core/types.js";

function auth({
  spf = "pass",
  dkim = ["pass"],
  dmarc = "pass",
  policy = "reject",
  aligned = true,
}: {
  spf?: AuthResult;
  dkim?: AuthResult[];
  dmarc?: AuthResult | null;
  policy?: string | null;
  aligned?: boolean;
} = {}): AuthAnalysis {
  return {
    dkim: dkim.map((result) => ({ domain: "shop.test", selector: "s1", result, aligned: true })),
    spf: { result: spf, domain: "shop.test", ip: "192.0.2.10" },
    dmarc:
      dmarc === null
        ? null
        : {
            result: dmarc,
            policy,
            domain: "shop.test",
            alignment: { dkim: aligned, spf: aligned },
          },
    arc: null,
  };
}

const good: ReceiverFacts = {
  auth: auth(),
  bulk: false,
  unsubscribe: { present: false, oneClick: false, post: false },
  tls: true,
  reverseDns: { status: "pass", ptr: "mail.shop.test" },
  localDevelopment: false,
};
const verdicts = (facts: Partial<ReceiverFacts>) =>
  Object.fromEntries(evaluateReceivers({ ...good, ...facts }).map((r) => [r.name, r.verdict]));
const reasons = (facts: Partial<ReceiverFacts>, name: string) =>
  evaluateReceivers({ ...good, ...facts })
    .find((r) => r.name === name)!
    .reasons.join(" | ");

describe("receiver verdicts", () => {
  test("fully authenticated transactional mail over TLS is accepted everywhere, with no reasons", () => {
    const all = evaluateReceivers(good);
    expect(all.map((r) => [r.name, r.verdict, r.reasons])).toEqual([
      ["gmail", "accept", []],
      ["yahoo", "accept", []],
      ["outlook", "accept", []],
    ]);
  });

  test("DMARC failing under p=reject is rejected by all three", () => {
    expect(
      verdicts({ auth: auth({ dkim: ["fail"], spf: "fail", dmarc: "fail", aligned: false }) }),
    ).toEqual({ gmail: "reject", yahoo: "reject", outlook: "reject" });
  });

  test("DMARC failing under p=quarantine is a spam risk when SPF or DKIM still passes", () => {
    expect(
      verdicts({ auth: auth({ dmarc: "fail", policy: "quarantine", aligned: false }) }),
    ).toEqual({ gmail: "spam-risk", yahoo: "spam-risk", outlook: "spam-risk" });
  });

  test("no SPF and no DKIM pass: Gmail and Yahoo reject, Outlook junks", () => {
    expect(
      verdicts({
        auth: auth({ spf: "none", dkim: [], dmarc: "none", policy: null, aligned: false }),
      }),
    ).toEqual({ gmail: "reject", yahoo: "reject", outlook: "spam-risk" });
  });

  test("only Gmail requires TLS", () => {
    expect(verdicts({ tls: false })).toEqual({
      gmail: "spam-risk",
      yahoo: "accept",
      outlook: "accept",
    });
    expect(reasons({ tls: false }, "gmail")).toMatch(/TLS/);
  });

  test("a sending IP without forward-confirmed reverse DNS is a risk at Gmail and Yahoo", () => {
    expect(verdicts({ reverseDns: { status: "fail", ptr: null } })).toEqual({
      gmail: "spam-risk",
      yahoo: "spam-risk",
      outlook: "accept",
    });
  });

  test("bulk mail needs one-click unsubscribe at Gmail and Yahoo", () => {
    expect(
      verdicts({ bulk: true, unsubscribe: { present: true, oneClick: false, post: false } }),
    ).toEqual({ gmail: "spam-risk", yahoo: "spam-risk", outlook: "accept" });
    expect(reasons({ bulk: true }, "yahoo")).toMatch(/one-click unsubscribe/);
    expect(
      verdicts({ bulk: true, unsubscribe: { present: true, oneClick: true, post: true } }),
    ).toEqual({ gmail: "accept", yahoo: "accept", outlook: "accept" });
  });

  test("bulk mail without a DMARC record is rejected by Outlook and a risk at Gmail and Yahoo", () => {
    const facts = {
      bulk: true,
      unsubscribe: { present: true, oneClick: true, post: true },
      auth: auth({ dmarc: "none", policy: null, aligned: false }),
    };
    expect(verdicts(facts)).toEqual({ gmail: "spam-risk", yahoo: "spam-risk", outlook: "reject" });
    expect(reasons(facts, "outlook")).toMatch(/5\.7\.515/);
  });

  test("a passing ARC chain is noted on a DMARC failure without changing the verdict", () => {
    const forwarded = {
      ...auth({ dkim: ["neutral"], spf: "pass", dmarc: "fail", aligned: false }),
      arc: { result: "pass" as const },
    };
    expect(verdicts({ auth: forwarded })).toEqual({
      gmail: "reject",
      yahoo: "reject",
      outlook: "reject",
    });
    expect(reasons({ auth: forwarded }, "gmail")).toMatch(/ARC chain passes/);
    expect(reasons({ auth: forwarded }, "outlook")).toMatch(/ARC chain passes/);
  });

  test("bulk mail with SPF but without DKIM falls short everywhere", () => {
    const facts = {
      bulk: true,
      unsubscribe: { present: true, oneClick: true, post: true },
      auth: auth({ dkim: [] }),
    };
    expect(verdicts(facts)).toEqual({ gmail: "spam-risk", yahoo: "spam-risk", outlook: "reject" });
  });
});

describe("each receiver's own words", () => {
  const unauthenticated = {
    auth: auth({ spf: "none", dkim: [], dmarc: "none", policy: null, aligned: false }),
  };

  test("Yahoo's reason gives Yahoo's reply, not Gmail's", () => {
    expect(reasons(unauthenticated, "gmail")).toContain("(550 5.7.26 at Gmail)");
    expect(reasons(unauthenticated, "yahoo")).toContain("(550 5.7.9 at Yahoo)");
    expect(reasons(unauthenticated, "yahoo")).not.toMatch(/Gmail|5\.7\.26/);
  });
});

describe("local development", () => {
  const unsigned = auth({ spf: "none", dkim: [], dmarc: "none", policy: null, aligned: false });
  const local = {
    auth: unsigned,
    tls: false,
    reverseDns: { status: "unknown" as const, ptr: null },
    localDevelopment: true,
  };

  test("the verdicts stand, but each receiver gives one line saying it is expected", () => {
    expect(verdicts(local)).toEqual({ gmail: "reject", yahoo: "reject", outlook: "spam-risk" });
    for (const receiver of evaluateReceivers({ ...good, ...local })) {
      expect(receiver.reasons).toHaveLength(1);
      expect(receiver.reasons[0]).toMatch(
        /^expected in local development: .* until DKIM, SPF and DMARC are set up/,
      );
    }
    expect(reasons(local, "outlook")).toMatch(/Outlook would junk it/);
    expect(reasons(local, "gmail")).toMatch(/Gmail would reject it/);
  });

  test("what the message itself gets wrong is still said: bulk mail without one-click unsubscribe", () => {
    const bulk = {
      ...local,
      bulk: true,
      unsubscribe: { present: false, oneClick: false, post: false },
    };
    const gmail = evaluateReceivers({ ...good, ...bulk }).find((r) => r.name === "gmail")!;
    expect(gmail.reasons).toEqual([
      expect.stringMatching(/^expected in local development/),
      expect.stringMatching(/one-click unsubscribe/),
    ]);
  });

  const facts = {
    auth: unsigned,
    fromDomain: "myapp.test",
    fromSpf: "missing" as const,
    ip: "127.0.0.1",
  };
  test.each([
    ["unsigned, no SPF or DMARC record, from loopback", {}, true],
    ["from a private network (a container)", { ip: "172.18.0.5" }, true],
    ["uploaded (no connecting IP)", { ip: null }, true],
    ["evaluated as a public provider IP (--spf-ip)", { ip: "192.0.2.10" }, false],
    [
      "signed, even with a broken signature",
      {
        auth: {
          ...unsigned,
          dkim: [{ domain: "myapp.test", selector: "s1", result: "fail" as const, aligned: true }],
        },
      },
      false,
    ],
    ["the domain publishes SPF", { fromSpf: "present" as const }, false],
    ["DNS did not answer", { fromSpf: "unknown" as const }, false],
    [
      "the domain publishes DMARC",
      { auth: auth({ spf: "none", dkim: [], dmarc: "fail", policy: "none", aligned: false }) },
      false,
    ],
  ])("%s → %s", (_, overrides, expected) => {
    expect(isLocalDevelopment({ ...facts, ...overrides })).toBe(expected);
  });
});

describe("forward-confirmed reverse DNS", () => {
  const zone = {
    "10.2.0.192.in-addr.arpa": { PTR: ["mail.shop.test"] },
    "mail.shop.test": { A: ["192.0.2.10"] },
    "11.2.0.192.in-addr.arpa": { PTR: ["liar.shop.test"] },
    "liar.shop.test": { A: ["192.0.2.99"] },
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": {
      PTR: ["v6.shop.test"],
    },
    "v6.shop.test": { AAAA: ["2001:0db8:0000:0000:0000:0000:0000:0001"] },
  };
  const check = createReverseDnsCheck(createResolver(createDnsZone(zone), { modes: ["zone"] }));

  test("reverse names per RFC 1035 and RFC 3596", () => {
    expect(reverseName("192.0.2.10")).toBe("10.2.0.192.in-addr.arpa");
    expect(reverseName("2001:db8::1")).toBe(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
    );
  });

  test.each([
    ["192.0.2.10", "pass", "mail.shop.test"],
    ["::ffff:192.0.2.10", "pass", "mail.shop.test"],
    ["2001:db8::1", "pass", "v6.shop.test"],
    ["192.0.2.11", "fail", "liar.shop.test"],
    ["192.0.2.12", "fail", null],
    ["127.0.0.1", "unknown", null],
    ["10.1.2.3", "unknown", null],
    [null, "unknown", null],
  ])("%s → %s", async (ip, status, ptr) => {
    expect(await check(ip)).toEqual({ status, ptr });
  });
});
