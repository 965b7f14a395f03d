/**
 * A seeded mutation engine for raw messages: the same seed gives the same inputs on every run, so
 * a failure names the seed and iteration that reproduce it.
 */

import { createPrng } from "../../src/core/prng.js";

export type Random = () => number;

/** The same seeded generator the fault rules use. */
export const seededRandom: (seed: number) => Random = createPrng;

const int = (random: Random, max: number) => Math.floor(random() * max);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)];

/** Fragments that steer mutations towards the parser's interesting paths. */
const TOKENS = [
  "\r\n",
  "\n",
  "\r",
  "\0",
  "\r\n\r\n",
  "--",
  "--\r\n",
  "=",
  "=\r\n",
  "=?utf-8?B?",
  "=?iso-8859-1?Q?",
  "?=",
  ";",
  ":",
  '"',
  "\\",
  'Content-Type: multipart/mixed; boundary="x"\r\n',
  "Content-Type: multipart/alternative; boundary=",
  "Content-Type: message/rfc822\r\n",
  "Content-Transfer-Encoding: base64\r\n",
  "Content-Transfer-Encoding: quoted-printable\r\n",
  "Content-Transfer-Encoding: x-junk\r\n",
  "charset=x-unknown",
  "charset=utf-16",
  "\r\n--x\r\n",
  "\r\n--x--\r\n",
  "Content-Disposition: attachment; filename*=utf-8''%FF%FE\r\n",
  'From: "unterminated <a@\r\n',
  "To: undisclosed-recipients:;\r\n",
  "Date: Mon, 99 Foo 99999 99:99:99 +9999\r\n",
  '<a href="https://x.test/reset?token=',
  "<html><body>",
  "</a>",
  "\xff\xfe\xfd",
  "\t",
  " ",
];

type Mutation = (input: Buffer, random: Random) => Buffer;

const at = (input: Buffer, random: Random) => int(random, input.length + 1);
const token = (random: Random) => Buffer.from(pick(random, TOKENS), "latin1");

const MUTATIONS: readonly Mutation[] = [
  // Flip a few bytes to random values.
  (input, random) => {
    const out = Buffer.from(input);
    for (let n = 1 + int(random, 8); n > 0 && out.length > 0; n--)
      out[int(random, out.length)] = int(random, 256);
    return out;
  },
  // Insert a token.
  (input, random) => {
    const i = at(input, random);
    return Buffer.concat([input.subarray(0, i), token(random), input.subarray(i)]);
  },
  // Delete a range.
  (input, random) => {
    const i = at(input, random);
    return Buffer.concat([
      input.subarray(0, i),
      input.subarray(Math.min(input.length, i + 1 + int(random, 200))),
    ]);
  },
  // Duplicate a range many times (bounded, so one input stays under a few hundred KB).
  (input, random) => {
    const i = at(input, random);
    const slice = input.subarray(i, i + 1 + int(random, 120));
    const times = 1 + int(random, Math.max(1, Math.floor(200_000 / Math.max(1, slice.length))));
    return Buffer.concat([
      input.subarray(0, i),
      ...Array.from({ length: Math.min(times, 4000) }, () => slice),
      input.subarray(i),
    ]);
  },
  // Truncate.
  (input, random) => input.subarray(0, at(input, random)),
  // Line endings: all CRLF to LF, or LF to bare CR.
  (input, random) =>
    Buffer.from(input.toString("latin1").replace(/\r\n/g, random() < 0.5 ? "\n" : "\r"), "latin1"),
  // Swap two ranges.
  (input, random) => {
    const [a, b] = [at(input, random), at(input, random)].sort((x, y) => x - y) as [number, number];
    const c = Math.min(input.length, b + int(random, 300));
    return Buffer.concat([
      input.subarray(0, a),
      input.subarray(b, c),
      input.subarray(a, b),
      input.subarray(c),
    ]);
  },
  // Repeat a header line (thousands of headers), within the same byte budget as the duplication
  // above: a long first line repeated 3,000 times made inputs of 90 MB, past any size limit.
  (input, random) => {
    const line = /^[\x21-\x39\x3b-\x7e]+:[^\r\n]*\r?\n/m.exec(input.toString("latin1"));
    if (!line) return input;
    const times = Math.min(
      1 + int(random, 3000),
      Math.max(1, Math.floor(200_000 / line[0].length)),
    );
    return Buffer.concat([Buffer.from(line[0].repeat(times), "latin1"), input]);
  },
];

/** One mutated input from a seed corpus: 1–4 mutations, sometimes on two fixtures spliced together. */
export function mutate(corpus: readonly Buffer[], random: Random): Buffer {
  let input = pick(random, corpus);
  if (random() < 0.1) {
    const other = pick(random, corpus);
    input = Buffer.concat([
      input.subarray(0, at(input, random)),
      other.subarray(at(other, random)),
    ]);
  }
  for (let n = 1 + int(random, 4); n > 0; n--) input = pick(random, MUTATIONS)(input, random);
  return input;
}
