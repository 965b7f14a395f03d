import { readFileSync } from "node:fs";
import { expect, test } from "vitest";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

test("README's complete test is the file the suite runs, so the documented example cannot rot", () => {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("### A complete test"));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const file = read("test/integration/client-readme.test.ts");
  expect(snippet).toBeTruthy();
  expect(file.slice(file.indexOf("\n") + 1)).toBe(snippet);
});
