import type { Finding } from "../../core/types.js";
import type { Analyzer } from "../analyze.js";
import { findMimeProblems } from "./mime-problems.js";

/**
 * MIME structure: a parse the parser gave up on (recorded on the message at capture) and the
 * problems a tolerant parser repairs or drops silently (see findMimeProblems).
 */
export function createMimeAnalyzer(): Analyzer {
  return {
    name: "mime",
    async run({ message, raw }) {
      const findings: Finding[] = [];
      if (message.parseError !== null)
        findings.push({
          rule: "mime.parse-error",
          severity: "error",
          message: `MIME parser failed: ${message.parseError}; only the header fields were read`,
        });
      findings.push(...findMimeProblems(raw));
      return { findings };
    },
  };
}
