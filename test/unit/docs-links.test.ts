import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO, docFiles, headingAnchors, parseMarkdown } from "../helpers/markdown.js";

/** Relative link targets in a page's prose (code blocks and inline code are not links). */
function relativeLinks(prose: string[]): Array<{ line: number; target: string }> {
  return prose.flatMap((text, index) =>
    [...text.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map((match) => match[1])
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map((target) => ({ line: index + 1, target })),
  );
}

const anchorsOf = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  if (!anchorsOf.has(file)) anchorsOf.set(file, headingAnchors(parseMarkdown(file).prose));
  return anchorsOf.get(file)!;
}

/** Why a link does not resolve, or null when it does. */
function brokenReason(from: string, target: string): string | null {
  const [path, fragment] = target.split("#", 2) as [string, string | undefined];
  const file = path === "" ? from : normalize(join(dirname(from), decodeURIComponent(path)));
  if (relative(REPO, join(REPO, file)).startsWith("..")) return "points outside the repository";
  if (!existsSync(join(REPO, file))) return `${file} does not exist`;
  if (fragment === undefined) return null;
  if (!file.endsWith(".md") || statSync(join(REPO, file)).isDirectory())
    return `#${fragment} on a file without headings`;
  return anchors(file).has(fragment) ? null : `${file} has no heading #${fragment}`;
}

describe("every relative link and anchor in README, CONTRIBUTING and docs/ resolves", () => {
  test.each(docFiles())("%s", (file) => {
    const broken = relativeLinks(parseMarkdown(file).prose)
      .map(({ line, target }) => ({ line, target, reason: brokenReason(file, target) }))
      .filter((link) => link.reason !== null)
      .map(({ line, target, reason }) => `${file}:${line} (${target}): ${reason}`);
    expect(broken).toEqual([]);
  });
});

test("the link checker sees GitHub's anchors and refuses a missing page", () => {
  expect(
    headingAnchors([
      "## Example app: `examples/saas-auth/`",
      "## Access control",
      "## Access control",
    ]),
  ).toEqual(new Set(["example-app-examplessaas-auth", "access-control", "access-control-1"]));
  expect(brokenReason("README.md", "docs/no-such-page.md")).toMatch(/does not exist/);
  expect(brokenReason("README.md", "docs/verify.md#no-such-heading")).toMatch(/no heading/);
  expect(brokenReason("docs/testing.md", "../README.md#add-it-to-your-test-suite")).toBeNull();
});

test("README.md stays a front door: at most 200 lines, the manual is in docs/", () => {
  expect(readFileSync(join(REPO, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(200);
});
