import { Parser } from "htmlparser2";

/** HTML void elements (HTML Living Standard §13.1.2): no end tag. */
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "track",
  "wbr",
]);
/** Content kept line by line (whitespace matters, or it is not markup). */
const RAW = new Set(["pre", "textarea", "script", "style"]);
/** An element holding only text this short stays on one line: `<a href="…">Verify</a>`. */
const INLINE_WIDTH = 100;
const INDENT = "  ";

type Node =
  | { kind: "element"; name: string; attributes: Array<[string, string]>; children: Node[] }
  | { kind: "text"; text: string }
  | { kind: "line"; text: string };

const escapeText = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttribute = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

function parse(html: string): Node[] {
  const root: Node[] = [];
  const stack: Array<Extract<Node, { kind: "element" }>> = [];
  const append = (node: Node) => (stack.at(-1)?.children ?? root).push(node);
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const element: Node = {
          kind: "element",
          name,
          attributes: Object.entries(attribs).map(([n, v]) => [n, collapse(v)]),
          children: [],
        };
        append(element);
        if (!VOID.has(name)) stack.push(element);
      },
      onclosetag(name) {
        if (!VOID.has(name) && stack.at(-1)?.name === name) stack.pop();
      },
      ontext(data) {
        const parent = stack.at(-1);
        if (parent && RAW.has(parent.name)) {
          const lines = data.split(/\r?\n/).filter((line) => line.trim());
          // Re-indented under the element: only the indentation inside the block is kept.
          const common = Math.min(...lines.map((line) => /^\s*/.exec(line)?.[0].length ?? 0));
          for (const line of lines) append({ kind: "line", text: line.slice(common).trimEnd() });
          return;
        }
        const text = collapse(data);
        if (!text) return;
        // Adjacent text (split around entities or comments) is one run.
        const siblings = parent?.children ?? root;
        const last = siblings.at(-1);
        if (last?.kind === "text") last.text = `${last.text} ${text}`;
        else append({ kind: "text", text });
      },
      oncomment(data) {
        const text = collapse(data);
        if (text) append({ kind: "line", text: `<!-- ${text} -->` });
      },
      onprocessinginstruction(_name, data) {
        append({ kind: "line", text: `<${collapse(data)}>` });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return root;
}

type Scrub = (text: string) => string;

function openTag(node: Extract<Node, { kind: "element" }>, scrub: Scrub): string {
  const attributes = node.attributes
    .map(([name, value]) =>
      value === "" ? ` ${name}` : ` ${name}="${escapeAttribute(scrub(value))}"`,
    )
    .join("");
  return `<${node.name}${attributes}>`;
}

/** Scrubbed in document order, so placeholders number as a reader meets the values. */
function render(nodes: Node[], depth: number, scrub: Scrub, out: string[]): void {
  const pad = INDENT.repeat(depth);
  for (const node of nodes) {
    if (node.kind === "text") out.push(pad + escapeText(scrub(node.text)));
    else if (node.kind === "line") out.push(pad + scrub(node.text));
    else if (VOID.has(node.name)) out.push(pad + openTag(node, scrub));
    else {
      const tag = openTag(node, scrub);
      const [only] = node.children;
      const inner =
        node.children.length === 0
          ? ""
          : node.children.length === 1 && only.kind === "text"
            ? escapeText(scrub(only.text))
            : null;
      if (inner !== null && tag.length + inner.length + node.name.length + 3 <= INLINE_WIDTH) {
        out.push(`${pad}${tag}${inner}</${node.name}>`);
        continue;
      }
      out.push(pad + tag);
      // The single text child was scrubbed above; render it from the scrubbed copy, not again.
      if (inner !== null) out.push(pad + INDENT + inner);
      else render(node.children, depth + 1, scrub, out);
      out.push(`${pad}</${node.name}>`);
    }
  }
}

/**
 * HTML re-printed one element per line with two-space indentation: entities decoded, whitespace
 * collapsed (as a browser renders it, outside `<pre>`), every text and attribute value passed
 * through `scrub`. Two bodies that render alike print alike, and a template change is a line diff.
 */
export function prettyHtml(html: string, scrub: Scrub = (t) => t): string {
  const out: string[] = [];
  render(parse(html), 0, scrub, out);
  return out.join("\n");
}
