import { expect, test } from "vitest";
import { snippetOf } from "../../../src/core/summary.js";
import { createPrng } from "../../../src/core/prng.js";

/** The definition: the first 200 characters of the body's first 1,600, whitespace runs folded. */
const reference = (text: string) => text.slice(0, 1600).replace(/\s+/g, " ").trim().slice(0, 200);

test("a snippet is the body's head with whitespace folded, however the whitespace falls", () => {
  const random = createPrng(7);
  const pieces = [
    "word",
    " ",
    "\r\n",
    "\t\t",
    "    ",
    "\n\n\n\n\n\n\n\n",
    "é",
    "x".repeat(150),
    " ".repeat(500),
  ];
  for (let i = 0; i < 2000; i++) {
    let text = "";
    const length = Math.floor(random() * 3000);
    while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
    expect(snippetOf({ text, html: null })).toBe(reference(text));
  }
});

test("an HTML-only body's snippet is its text, without tags, styles or scripts", () => {
  expect(
    snippetOf({
      text: null,
      html: "<style>p{}</style><p>Reset   your\npassword</p><script>x()</script>",
    }),
  ).toBe("Reset your password");
  expect(snippetOf({ text: null, html: null })).toBe("");
});
