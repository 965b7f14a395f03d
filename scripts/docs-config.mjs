// Regenerates the option tables in docs/configuration.md from the option table
// (src/config/table.ts, compiled to dist/). `npm run docs:config` builds first.
import { readFileSync, writeFileSync } from "node:fs";
import { withReference } from "../dist/config/reference.js";

const page = new URL("../docs/configuration.md", import.meta.url);
const before = readFileSync(page, "utf8");
const after = withReference(before);
writeFileSync(page, after);
process.stdout.write(
  before === after ? "docs/configuration.md is up to date\n" : "docs/configuration.md updated\n",
);
