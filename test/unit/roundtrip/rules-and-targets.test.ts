import { describe, expect, test } from "vitest";
import { parseInboundUrl, redact } from "../../../src/roundtrip/inbound/target.js";
import { compileBounceRules } from "../../../src/roundtrip/rules.js";

describe("bounces rules", () => {
  test("rules match first, by address glob; simulator addresses (with a +tag) after them", () => {
    const planFor = compileBounceRules([
      { match: { to: "*@gone.test" }, type: "hard" },
      { match: { to: "bounce@simulator.mailproof.test" }, type: "complaint", delayMs: 50 },
    ]);
    expect(planFor("ann@GONE.test")).toEqual({ type: "hard", delayMs: 0 });
    expect(planFor("ann@gone.test.evil")).toBeNull();
    expect(planFor("bounce@simulator.mailproof.test")).toEqual({ type: "complaint", delayMs: 50 });
    expect(planFor("soft-bounce+t1@simulator.mailproof.test")).toEqual({
      type: "soft",
      delayMs: 0,
    });
    expect(planFor("ooo@simulator.mailproof.test")).toEqual({ type: "auto-reply", delayMs: 0 });
    expect(planFor("someone@simulator.mailproof.test")).toBeNull();
    expect(planFor("bounce@example.com")).toBeNull();
  });

  test.each([
    [[{ type: "hard" }], "bounces[0] needs match.to"],
    [
      [{ match: { to: "*@x.test" }, type: "bounce" }],
      "bounces[0].type must be one of hard, soft, complaint, auto-reply",
    ],
    [
      [{ match: { to: "*@x.test" }, type: "soft", delayMs: -1 }],
      "bounces[0].delayMs must be a whole number",
    ],
    [[null], "bounces[0] needs match.to"],
  ])("a bad rule fails at start: %j", (rules, message) => {
    expect(() => compileBounceRules(rules)).toThrow(message);
  });
});

describe("--inbound URLs", () => {
  test("smtp and the four provider formats over http(s)", () => {
    expect(parseInboundUrl("smtp://127.0.0.1:2525")).toMatchObject({ format: "smtp" });
    for (const format of ["sendgrid-parse", "postmark", "mailgun", "ses-sns"]) {
      const parsed = parseInboundUrl(`${format}+https://app.test/inbound?key=1`);
      expect(parsed.format).toBe(format);
      expect(parsed.url.href).toBe("https://app.test/inbound?key=1");
    }
  });

  test.each([
    "postmark://app.test",
    "http://app.test/inbound",
    "resend+http://app.test",
    "not a url",
  ])("%s is refused with the accepted forms", (value) => {
    expect(() => parseInboundUrl(value)).toThrow(/smtp:\/\/host:port/);
  });

  test("the URL shown in responses and logs has no credentials or query token", () => {
    expect(redact(new URL("https://user:secret@app.test/inbound?token=abc"))).toBe(
      "https://app.test/inbound",
    );
  });
});
