import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** README.md, CONTRIBUTING.md and every page under docs/, as paths relative to the repository. */
export function docFiles(): string[] {
  const pages = (dir: string): string[] =>
    readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? pages(join(dir, entry.name))
        : entry.name.endsWith(".md")
          ? [join(dir, entry.name)]
          : [],
    );
  // Sorted, so that the snippets of one page run in the same order on every file system.
  return ["README.md", "CONTRIBUTING.md", ...pages("docs").sort()].map((path) =>
    relative(REPO, join(REPO, path)),
  );
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The first word of the info string (`sh`, `ts`, `json` …), "" for none. */
  lang: string;
  /** The rest of the info string, e.g. `no-run: needs a Docker engine` or `twin=test/x.test.ts`. */
  meta: string;
  code: string;
}

/** Fenced code blocks (``` only, as the docs use) and the text outside them, line for line. */
export function parseMarkdown(file: string): { blocks: CodeBlock[]; prose: string[] } {
  const lines = readFileSync(join(REPO, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  let open: { line: number; lang: string; meta: string; body: string[] } | null = null;
  lines.forEach((text, index) => {
    const fence = /^```\s*(\S*)\s*(.*)$/.exec(text);
    if (open) {
      if (/^```\s*$/.test(text)) {
        blocks.push({
          file,
          line: open.line,
          lang: open.lang,
          meta: open.meta,
          code: `${open.body.join("\n")}\n`,
        });
        open = null;
      } else open.body.push(text);
      prose.push("");
    } else if (fence) {
      open = { line: index + 1, lang: fence[1], meta: fence[2], body: [] };
      prose.push("");
    } else prose.push(text);
  });
  return { blocks, prose };
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(prose: string[]): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}
