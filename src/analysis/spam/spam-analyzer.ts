import type { Analyzer } from "../analyze.js";
import { finding } from "../headers/rule.js";
import { parseSpamdAddress, spamcReport, type SpamcOptions } from "./spamc.js";

/** SpamAssassin score and rules through spamd (`--spamd host:port`). */
export function createSpamAnalyzer(spamd: string, options: SpamcOptions = {}): Analyzer {
  const address = parseSpamdAddress(spamd);
  return {
    name: "spam",
    async run({ raw }) {
      const spam = await spamcReport(address, raw, options);
      const top = [...spam.rules]
        .sort((a, b) => b.score - a.score)
        .filter((r) => r.score > 0)
        .slice(0, 3);
      const findings = spam.isSpam
        ? [
            finding(
              "spam.score-high",
              "warning",
              `SpamAssassin scores ${spam.score} (threshold ${spam.threshold}); top rules: ${top.map((r) => `${r.name} ${r.score} (${r.description})`).join(", ") || "none"}.`,
            ),
          ]
        : [];
      return { spam, findings };
    },
  };
}
