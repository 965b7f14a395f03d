import { ImapSyntaxError } from "./imap-parser.js";

/**
 * RFC 3501 §9 sequence-set: `1:4,7,9:*`. `*` is the largest number in use (`max`); a range may be
 * written high:low. Returns a membership test, since UID sets can span numbers no message has.
 */
export function parseSequenceSet(text: string, max: number): (n: number) => boolean {
  const ranges: Array<[number, number]> = [];
  for (const part of text.split(",")) {
    const bounds = part.split(":");
    if (bounds.length > 2 || bounds.some((b) => !/^(\*|[1-9]\d*)$/.test(b)))
      throw new ImapSyntaxError(`bad sequence set ${text}`);
    const [a, b = a] = bounds.map((bound) => (bound === "*" ? max : Number(bound)));
    ranges.push([Math.min(a, b), Math.max(a, b)]);
  }
  return (n) => ranges.some(([low, high]) => n >= low && n <= high);
}
