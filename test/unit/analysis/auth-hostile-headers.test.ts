import { expect, test } from "vitest";
import { createAuthAnalyzer } from "../../../src/analysis/auth/index.js";
// @ts-expect-error -- a plain .mjs fixture generator without type declarations
import { bigCases } from "../../../fixtures/eml/malformed/generate.mjs";
import { inputFor, zoneContext } from "./auth-fixture-message.js";

/**
 * mailauth 4.13 pins nodemailer 8.0.7, whose address parser backtracks quadratically on a long
 * From: value: a 200 KB one held an analysis thread for 8 s (found by `npm run fuzz`). package.json
 * overrides it with the nodemailer mailproof uses. Not a speed target: the bound only tells a
 * linear parse (milliseconds) from the quadratic one (seconds).
 */
test("a 200 KB From: header (bare CR line endings) is verified in linear time", async () => {
  const { raw } = (bigCases() as Record<string, { raw: Buffer }>)["bare-cr-200kb"];
  const input = await inputFor(raw, {
    mailFrom: "shop@malformed.test",
    remoteAddress: "192.0.2.1",
    helo: "mx.malformed.test",
  });
  const started = performance.now();
  const result = await createAuthAnalyzer().run(input, zoneContext({}));
  expect(result.auth!.authenticationResults).toContain("dkim=none");
  expect(performance.now() - started).toBeLessThan(2_000);
});
