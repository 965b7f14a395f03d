#!/usr/bin/env node
import { basename } from "node:path";
import { isMailproofError } from "../core/errors.js";

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand: `sendmail` and `send` start fast without the server's modules.
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import("./serve.js")).serve,
  send: async () => (await import("./send.js")).send,
  sendmail: async () => (await import("./sendmail.js")).sendmail,
  doctor: async () => (await import("./doctor.js")).doctor,
};

async function main(argv: string[]): Promise<number> {
  // Linked into place as `sendmail`, the binary speaks the sendmail command line directly.
  if (basename(process.argv[1] ?? "") === "sendmail") return (await COMMANDS.sendmail())(argv);
  const [first, ...rest] = argv;
  if (first && COMMANDS[first]) return (await COMMANDS[first]())(rest);
  if (first && !first.startsWith("-")) {
    process.stderr.write(`mailproof: unknown command "${first}"; commands: ${Object.keys(COMMANDS).join(", ")}\n`);
    return 2;
  }
  return (await COMMANDS.serve())(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = isMailproofError(err) || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? (err as Error).message : String((err as Error).stack ?? err);
    process.stderr.write(`mailproof: ${message}\n`);
    // 2: the command line or what it names (a config file, a --db file) is wrong, not the program.
    process.exit(isMailproofError(err) && (err.code === "CONFIG_INVALID" || err.code === "STORE_CORRUPT") ? 2 : 1);
  },
);
