import type { Analyzer } from "../analyze.js";
import {
  cidRule,
  executableRule,
  htmlSizeRule,
  textAlternativeRule,
  unsubscribeRule,
} from "./rules-body.js";
import {
  dateRule,
  envelopeSenderRule,
  fromRule,
  messageIdRule,
  replyToRule,
  subjectRule,
} from "./rules-identity.js";
import { eightBitHeaderRule, lineLengthRule, mimeStructureRule } from "./rules-transport.js";
import type { HeaderRule } from "./rule.js";

export const headerRules: readonly HeaderRule[] = [
  messageIdRule,
  dateRule,
  fromRule,
  envelopeSenderRule,
  subjectRule,
  replyToRule,
  textAlternativeRule,
  htmlSizeRule,
  cidRule,
  executableRule,
  unsubscribeRule,
  lineLengthRule,
  eightBitHeaderRule,
  mimeStructureRule,
];

/** Header, body and MIME findings that need no DNS: each rule is a pure function of the message. */
export function createHeadersAnalyzer(rules: readonly HeaderRule[] = headerRules): Analyzer {
  return {
    name: "headers",
    async run({ message, raw }) {
      const headerBlock = headerSection(raw);
      return { findings: rules.flatMap((rule) => rule({ message, raw, headerBlock })) };
    },
  };
}

function headerSection(raw: Buffer): string {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  const ends = [crlf, lf].filter((i) => i >= 0);
  return raw.subarray(0, ends.length ? Math.min(...ends) : raw.length).toString("latin1");
}
