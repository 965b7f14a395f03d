import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { REPO } from "../helpers/markdown.js";

const run = promisify(execFile);

test("docs/rest-api.md is what scripts/docs-rest.mjs generates from the built OpenAPI document", async () => {
  // --check exits 1 (and execFile rejects) when the committed page differs.
  await expect(
    run(process.execPath, ["scripts/docs-rest.mjs", "--check"], { cwd: REPO }),
  ).resolves.toBeDefined();
});

test("the REST reference lists every route of the OpenAPI document", async () => {
  const { openApiDocument } = await import("../../src/api/openapi.js");
  const page = readFileSync(`${REPO}docs/rest-api.md`, "utf8");
  for (const [path, item] of Object.entries(openApiDocument.paths)) {
    for (const method of ["get", "put", "post", "patch", "delete"] as const) {
      if (method in item) expect(page).toContain(`### ${method.toUpperCase()} ${path}\n`);
    }
  }
});
