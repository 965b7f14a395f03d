import type { Message } from "../../core/types.js";
import type { Analyzer } from "../analyze.js";
import { findCodes, hasCodeWord, type CodeCandidate } from "./find-codes.js";
import { htmlToLines } from "./html-text.js";

/** One-time codes from the subject, the text part and the HTML part, best first. */
export function createCodesAnalyzer(): Analyzer {
  return {
    name: "codes",
    async run({ message }) {
      return { codes: findMessageCodes(message) };
    },
  };
}

/** Codes listed, best first: a mail shows one code, a few at most; more is a table of numbers. */
const MAX_CODES = 20;

export function findMessageCodes(message: Pick<Message, "subject" | "text" | "html">): string[] {
  const subject = message.subject ?? "";
  const subjectHasCodeWord = hasCodeWord(subject);
  const sources = [subject, message.text ?? "", message.html ? htmlToLines(message.html) : ""];
  const best = new Map<string, { score: number; order: number; seen: number }>();
  let order = 0;
  for (const source of sources) {
    if (!source) continue;
    const candidates: CodeCandidate[] = findCodes(source, subjectHasCodeWord).sort(
      (a, b) => a.index - b.index,
    );
    for (const candidate of candidates) {
      const entry = best.get(candidate.code);
      if (!entry) best.set(candidate.code, { score: candidate.score, order: order++, seen: 1 });
      else {
        entry.score = Math.max(entry.score, candidate.score);
        entry.seen++;
      }
    }
  }
  // A code repeated across subject and parts is likelier the one; ties keep reading order.
  return [...best.entries()]
    .sort(
      ([, a], [, b]) =>
        b.score + Math.min(b.seen, 3) - (a.score + Math.min(a.seen, 3)) || a.order - b.order,
    )
    .slice(0, MAX_CODES)
    .map(([code]) => code);
}
