import { expect, test } from "vitest";
import { createCompatibilityAnalyzer } from "../../../src/analysis/compatibility/index.js";
import { inputFor, zoneContext } from "./auth-fixture-message.js";

// Found by the mutation fuzzer (test/fuzz): caniemail's CSS parser throws on a declaration
// without ":", which broken templates produce (style="{{color}}"), and the whole check was lost.
test.each([
  ['<div style="color">x</div>', "inline style"],
  ["<style>p{color}</style><p>x</p>", "<style> block"],
])("unparsable CSS in %s is a finding, not an analyser failure", async (html) => {
  const raw = Buffer.from(
    `From: orders@shop.test\r\nTo: a@customer.test\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n${html}\r\n`,
  );
  const result = await createCompatibilityAnalyzer().run(await inputFor(raw), zoneContext({}));
  expect(result.findings).toEqual([
    expect.objectContaining({
      rule: "html.css-invalid",
      severity: "warning",
      message: expect.stringContaining("property missing ':'"),
    }),
  ]);
});
