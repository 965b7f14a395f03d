#!/usr/bin/env node
import { basename } from "node:path";
import { strayWordHint } from "../config/npm-hint.js";
import { SERVE_FLAGS } from "../config/resolve.js";
import { isMailproofError } from "../core/errors.js";
import { nearest } from "../config/suggest.js";

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand: `sendmail` and `send` start fast without the server's modules.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: {
    summary: "run the sandbox: SMTP, web UI, REST API, provider mocks (the default command)",
    load: async () => (await import("./serve.js")).serve,
  },
  send: {
    summary: "send a test message to a sandbox or any SMTP server",
    load: async () => (await import("./send.js")).send,
  },
  sendmail: {
    summary: "sendmail-compatible: read a message on stdin and submit it",
    load: async () => (await import("./sendmail.js")).sendmail,
  },
  doctor: {
    summary: "diagnose a real mail setup from its environment variables",
    load: async () => (await import("./doctor.js")).doctor,
  },
  mcp: {
    summary:
      "Model Context Protocol server on stdio for coding agents, talking to a running sandbox",
    load: async () => (await import("./mcp.js")).mcp,
  },
  help: {
    summary: "print this list, or a command's options: mailproof help <command>",
    load: async () => help,
  },
};

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 3;
  const lines = Object.entries(COMMANDS).map(
    ([name, { summary }]) => `  ${name.padEnd(width)}${summary}`,
  );
  return `mailproof <command> [options]

${lines.join("\n")}

mailproof with no command, or with only --options, runs serve. Each command takes --help.
Through npm, arguments go after --: npm start -- --smtp-port 2525
`;
}

async function help([name]: string[]): Promise<number> {
  if (name === undefined || name === "help") {
    process.stdout.write(overview());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) return unknownCommand(name);
  return (await command.load())(["--help"]);
}

function unknownCommand(word: string): number {
  const guess = nearest(word, Object.keys(COMMANDS));
  const hint = guess ? `; did you mean "${guess}"?` : strayWordHint(word, process.env, SERVE_FLAGS);
  process.stderr.write(
    `mailproof: unknown command "${word}"${hint} (mailproof help lists the commands)\n`,
  );
  return 2;
}

async function main(argv: string[]): Promise<number> {
  // Linked into place as `sendmail`, the binary speaks the sendmail command line directly.
  if (basename(process.argv[1] ?? "") === "sendmail") return (await COMMANDS.sendmail.load())(argv);
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h") {
    // The overview, then serve's options: `mailproof --help` is also `mailproof serve --help`.
    process.stdout.write(`${overview()}\n`);
    return (await COMMANDS.serve.load())(["--help"]);
  }
  if (first && Object.hasOwn(COMMANDS, first)) return (await COMMANDS[first].load())(rest);
  if (first && !first.startsWith("-")) return unknownCommand(first);
  return (await COMMANDS.serve.load())(argv);
}

/** Option errors from node:util's parseArgs (send, sendmail, doctor). */
const isUsageError = (err: unknown): boolean =>
  typeof (err as { code?: unknown })?.code === "string" &&
  (err as { code: string }).code.startsWith("ERR_PARSE_ARGS");

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A bad option or a failed start is one line a person can act on, and exit status 2;
    // anything else is a bug, reported with its stack.
    if (isMailproofError(err) || isUsageError(err)) {
      const command = Object.hasOwn(COMMANDS, process.argv[2] ?? "") ? process.argv[2] : "serve";
      const hint = isUsageError(err) ? ` (mailproof help ${command} lists the options)` : "";
      process.stderr.write(`mailproof: ${(err as Error).message}${hint}\n`);
      process.exit(2);
    }
    process.stderr.write(`mailproof: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
