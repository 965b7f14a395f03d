import pino from "pino";
import { expect, test } from "vitest";
import { createAnalysisPipeline } from "../../../src/analysis/index.js";
import { withDefaults } from "../../../src/config/options.js";
import { inputFor } from "./auth-fixture-message.js";

async function input(html: string) {
  const raw = Buffer.from(
    `From: app@budget.test\r\nTo: user@budget.test\r\nSubject: hi\r\nContent-Type: text/html\r\n\r\n${html}\r\n`,
  );
  return inputFor(raw, {
    mailFrom: "app@budget.test",
    rcptTo: ["user@budget.test"],
    remoteAddress: null,
    helo: null,
  });
}

const logger = pino({ level: "silent" });

test("analysers that would start after the time budget is spent are skipped, and a finding names them", async () => {
  const analyze = createAnalysisPipeline(withDefaults({ dns: ["zone"] }), logger, undefined, {
    budgetMs: 0,
    now: () => performance.now(),
  });
  const analysis = await analyze(
    await input(
      '<div style="display:flex"><a href="https://app.budget.test/reset?token=Zr4T0kq9Lx2mWv8NpQ3s">Reset</a></div>',
    ),
  );
  expect(analysis.status).toBe("done");
  expect(analysis.compatibility).toBeUndefined();
  expect(analysis.findings).toContainEqual(
    expect.objectContaining({
      rule: "analysis.truncated",
      message: expect.stringMatching(/budget; skipped: .*compatibility/),
    }),
  );
});

test("within the budget every analyser runs and nothing is reported as truncated", async () => {
  const analyze = createAnalysisPipeline(withDefaults({ dns: ["zone"] }), logger, undefined, {
    budgetMs: 60_000,
  });
  const analysis = await analyze(
    await input(
      '<div style="display:flex"><a href="https://app.budget.test/reset?token=Zr4T0kq9Lx2mWv8NpQ3s">Reset</a></div>',
    ),
  );
  expect(analysis.compatibility).toBeDefined();
  expect(analysis.links).toHaveLength(1);
  expect(analysis.findings.map((f) => f.rule)).not.toContain("analysis.truncated");
});

test("a rule that fires for every element of a big message keeps 20 findings and counts the rest", async () => {
  const analyze = createAnalysisPipeline(withDefaults({ dns: ["zone"] }), logger);
  const html = Array.from({ length: 500 }, (_, i) => `<img src="cid:missing-${i}">`).join("");
  const analysis = await analyze(await input(html));
  const cid = analysis.findings.filter((f) => f.rule === "body.cid-missing");
  expect(cid).toHaveLength(21);
  expect(cid.at(-1)?.message).toMatch(/480 more body\.cid-missing/);
});

test("a message with hundreds of DKIM signatures has only the first 10 verified, and says so", async () => {
  const analyze = createAnalysisPipeline(withDefaults({ dns: ["zone"] }), logger);
  const signatures = Array.from(
    { length: 300 },
    (_, i) =>
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=budget.test; s=s${i}; l=${i};\r\n h=from:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n`,
  ).join("");
  const { message } = await input("<p>hi</p>");
  const raw = Buffer.from(
    `${signatures}From: app@budget.test\r\nTo: user@budget.test\r\nSubject: hi\r\n\r\nhello\r\n`,
  );
  const analysis = await analyze({ message, raw });
  expect(analysis.auth?.dkim).toHaveLength(10);
  expect(analysis.auth?.dkim.map((d) => d.selector)).toEqual(
    Array.from({ length: 10 }, (_, i) => `s${i}`),
  );
  expect(analysis.findings).toContainEqual(
    expect.objectContaining({
      rule: "analysis.truncated",
      message: "300 DKIM signatures, the first 10 verified; the others are not reported",
    }),
  );
});
