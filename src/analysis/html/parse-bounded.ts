import { Parser, type Handler, type ParserOptions } from "htmlparser2";

/**
 * Open elements kept at once. htmlparser2 keeps its open-element stack with `unshift`/`shift`,
 * so every tag costs time proportional to the nesting depth and a document nested N deep costs
 * N²: 1 MB of nested `<div>`s took seconds. Chromium's parser stops nesting at 512 levels
 * (deeper elements become siblings); real mail stays far below this.
 */
export const MAX_HTML_DEPTH = 256;

type HtmlCallbacks = Partial<Pick<Handler, "onopentag" | "onclosetag" | "ontext" | "oncomment">>;

/**
 * Streams `html` through htmlparser2 with the callbacks given, in time linear in its length.
 * When the nesting reaches MAX_HTML_DEPTH the parser starts afresh on the rest of the input, so
 * the elements open at that point are never closed for the callbacks (as a browser that stops
 * nesting would read them). Returns the number of such restarts: 0 for any ordinary document.
 */
export function parseHtmlBounded(
  html: string,
  callbacks: HtmlCallbacks,
  options: ParserOptions,
): number {
  let offset = 0;
  let restarts = 0;
  for (;;) {
    let depth = 0;
    let restartAt = -1;
    const parser: Parser = new Parser(
      {
        ...callbacks,
        onopentag(name, attribs, implied) {
          depth++;
          callbacks.onopentag?.(name, attribs, implied);
          if (depth >= MAX_HTML_DEPTH && restartAt < 0) {
            restartAt = parser.endIndex + 1;
            parser.pause();
          }
        },
        onclosetag(name, implied) {
          depth--;
          callbacks.onclosetag?.(name, implied);
        },
      },
      options,
    );
    // A slice of a long string shares its characters (V8 sliced string): no copy per restart.
    parser.write(offset === 0 ? html : html.slice(offset));
    if (restartAt < 0) {
      parser.end();
      return restarts;
    }
    restarts++;
    offset += restartAt;
  }
}
