import { parseHtmlBounded } from "../html/parse-bounded.js";

const SKIP = new Set(["style", "script", "head", "title"]);
const BLOCK = new Set([
  "p",
  "div",
  "br",
  "tr",
  "table",
  "tbody",
  "li",
  "ul",
  "ol",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "section",
  "header",
  "footer",
  "hr",
  "center",
  "blockquote",
]);
const CELL = new Set(["td", "th"]);

/**
 * The visible text of an HTML body with its layout kept as line breaks: a code in its own
 * block stays on its own line, and a code drawn one digit per table cell ("5 1 8 0 2 7")
 * stays one line of single digits, which the code finder joins.
 */
export function htmlToLines(html: string): string {
  const out: string[] = [];
  let skipping = 0;
  parseHtmlBounded(
    html,
    {
      onopentag(name) {
        if (SKIP.has(name)) skipping++;
        else if (BLOCK.has(name)) out.push("\n");
        else if (CELL.has(name)) out.push(" ");
      },
      onclosetag(name) {
        if (SKIP.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BLOCK.has(name)) out.push("\n");
        else if (CELL.has(name)) out.push(" ");
      },
      ontext(data) {
        if (skipping === 0) out.push(data.replace(/[\s\u00a0]+/g, " "));
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  return out
    .join("")
    .split("\n")
    .map((line) => line.replace(/ +/g, " ").trim())
    .filter((line, i, lines) => line !== "" || (i > 0 && lines[i - 1] !== ""))
    .join("\n");
}
