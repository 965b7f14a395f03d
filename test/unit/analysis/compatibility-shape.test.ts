import { describe, expect, test } from "vitest";
import {
  createCompatibilityAnalyzer,
  type CompatibilityReport,
} from "../../../src/analysis/compatibility/index.js";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { htmlShape, VALUE_ATTRIBUTES } from "../../../src/analysis/compatibility/html-shape.js";
import type { Message } from "../../../src/core/types.js";

const template = (name: string, token: string) =>
  `<html><head><style>.btn{display:flex;border-radius:4px}</style></head><body><h1>Hi ${name}</h1>` +
  `<p style="margin:0;color:#333">Reset your password:</p>` +
  `<a class="btn" href="https://app.test/reset?token=${token}">Reset</a>` +
  `<img src="https://cdn.test/${token}.png" alt="${name}" width="120"></body></html>`;

/** Documents that differ from the template only in what caniemail checks. */
const variants = [
  template("Ann", "abc"),
  template("Ann", "abc").replace("display:flex", "display:grid"),
  template("Ann", "abc").replace('style="margin:0;color:#333"', 'style="margin:0;position:fixed"'),
  template("Ann", "abc").replace('href="https://app.test/reset?token=abc"', 'href="#reset"'),
  template("Ann", "abc").replace(
    'href="https://app.test/reset?token=abc"',
    'href="mailto:a@b.test"',
  ),
  template("Ann", "abc").replace("<h1>", '<input type="checkbox"><h1>'),
  template("Ann", "abc").replace("<h1>", '<input type="text"><h1>'),
  template("Ann", "abc").replace('width="120"', 'srcset="a.png 2x"'),
  template("Ann", "abc").replace("<style>", '<style media="screen">'),
  '<div style="color">broken css</div>',
];

const message = (html: string) => ({ message: { html } as Message, raw: Buffer.alloc(0) });

describe("compatibility verdicts kept per document shape", () => {
  test("messages from one template share a shape: names, tokens and links do not count", () => {
    expect(htmlShape(template("Bob", "x7Kq-91"))).toBe(htmlShape(template("Ann", "abc")));
  });

  test("every attribute whose value caniemail's data compares is part of the shape", () => {
    const main = createRequire(import.meta.url).resolve("caniemail");
    const data = readFileSync(join(dirname(main), "data", "caniemail.json"), "utf8");
    const compared = new Set([...data.matchAll(/<\w+ (\w+)=\\"\w+\\"> element/g)].map((m) => m[1]));
    expect(compared.size).toBeGreaterThan(0);
    for (const attribute of compared) expect(VALUE_ATTRIBUTES).toContain(attribute);
  });

  test("every difference caniemail checks makes another shape", () => {
    const shapes = variants.map(htmlShape);
    expect(new Set(shapes).size).toBe(variants.length);
  });

  test("one analyser that has seen the others answers each document as a fresh one does", async () => {
    const shared = createCompatibilityAnalyzer();
    const documents = [...variants, template("Bob", "x7Kq-91"), ...variants.toReversed()];
    for (const html of documents) {
      const fresh = await createCompatibilityAnalyzer().run(message(html), {} as never);
      expect(await shared.run(message(html), {} as never)).toEqual(fresh);
    }
  });

  test("a kept verdict is a copy: changing one message's analysis leaves the next alone", async () => {
    const shared = createCompatibilityAnalyzer();
    const first = await shared.run(message(template("Ann", "abc")), {} as never);
    (first.compatibility as CompatibilityReport).features.length = 0;
    first.findings!.length = 0;
    const second = await shared.run(message(template("Bob", "def")), {} as never);
    expect((second.compatibility as CompatibilityReport).features.length).toBeGreaterThan(0);
    expect(second.findings!.length).toBeGreaterThan(0);
  });
});
