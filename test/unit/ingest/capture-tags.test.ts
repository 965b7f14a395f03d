import { describe, expect, test } from "vitest";
import { captureTags, compileTagRules } from "../../../src/ingest/capture-tags.js";
import { message } from "../../store/fixtures.js";

const base = message("01KAAAAAAAAAAAAAAAAAAAAAA1", Date.UTC(2026, 0, 1), {
  subject: "Your invoice",
  from: { name: null, address: "billing@acme.test" },
  to: [{ name: "Ann", address: "ann+promo@example.test" }],
  cc: [{ name: null, address: "boss@example.test" }],
  bcc: [{ name: null, address: "audit+q3@example.test" }],
  headers: [{ name: "X-Tags", value: "billing, Monthly ,,  two  words" }],
});

describe("captureTags", () => {
  test("source tags first, then X-Tags, then plus-addressed recipients; trimmed, each once whatever its case", () => {
    expect(captureTags(base, ["Provider", "billing"], [])).toEqual([
      "Provider",
      "billing",
      "Monthly",
      "two words",
      "promo",
      "q3",
    ]);
  });

  test("a message without any gets none", () => {
    expect(
      captureTags(
        message("01KAAAAAAAAAAAAAAAAAAAAAA2", 0, {
          to: [{ name: null, address: "plain@example.test" }],
        }),
        [],
        [],
      ),
    ).toEqual([]);
  });

  test("tag rules add their tags when their query matches", () => {
    const rules = compileTagRules([
      { query: "subject:invoice from:acme.test", tags: ["finance"] },
      { query: "subject:welcome", tags: ["onboarding"] },
      { query: "to:ann@example.test", tags: ["ann", "Finance"] },
    ]);
    expect(captureTags(base, [], rules)).toEqual([
      "billing",
      "Monthly",
      "two words",
      "promo",
      "q3",
      "finance",
      "ann",
    ]);
  });

  test.each([
    [{ query: "x" }, "tagRules[0] must be"],
    [{ query: 1, tags: ["a"] }, "tagRules[0] must be"],
    [{ query: "x", tags: [] }, "tagRules[0] must be"],
    [{ query: "subjet:x", tags: ["a"] }, 'tagRules[0]: unknown search field "subjet:"'],
  ])("a bad rule %j is a CONFIG_INVALID error", (rule, message) => {
    expect(() => compileTagRules([rule])).toThrow(
      expect.objectContaining({
        code: "CONFIG_INVALID",
        message: expect.stringContaining(message),
      }),
    );
  });
});
