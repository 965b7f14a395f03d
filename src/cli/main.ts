#!/usr/bin/env node
import { isMailproofError } from "../core/errors.js";
import { send } from "./send.js";
import { serve } from "./serve.js";

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { serve, send };

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first && COMMANDS[first]) return COMMANDS[first](rest);
  if (first && !first.startsWith("-")) {
    process.stderr.write(`mailproof: unknown command "${first}"; commands: ${Object.keys(COMMANDS).join(", ")}\n`);
    return 2;
  }
  return serve(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = isMailproofError(err) || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? (err as Error).message : String((err as Error).stack ?? err);
    process.stderr.write(`mailproof: ${message}\n`);
    process.exit(isMailproofError(err) && err.code === "CONFIG_INVALID" ? 2 : 1);
  },
);
