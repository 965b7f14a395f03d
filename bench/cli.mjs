// The built CLI and the node flags it runs with (its shebang line, as `npm start` uses them), so
// the benchmarks measure the server as users start it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

/** `[...flags, CLI]`, to spawn with process.execPath. */
export function cliArgs() {
  const shebang = readFileSync(CLI, "utf8").split("\n")[0];
  return [...shebang.replace(/^#!\/usr\/bin\/env -S node ?/, "").split(" ").filter(Boolean), CLI];
}
