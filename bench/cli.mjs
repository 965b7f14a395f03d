// The built CLI and the node flags `npm start` runs it with, so the benchmarks measure the server
// as users start it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

/** `[...flags, CLI]`, to spawn with process.execPath. */
export function cliArgs() {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const flags = pkg.scripts.start.split(" ").filter((word) => word.startsWith("--"));
  return [...flags, CLI];
}
