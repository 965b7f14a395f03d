import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { transformWithOxc } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { REPO, docFiles, parseMarkdown, type CodeBlock } from "../helpers/markdown.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * Every ```sh and ```ts block in README.md, CONTRIBUTING.md and docs/ runs as written against a
 * real sandbox: the default ports 1025/8025 become the sandbox's free ports and `npx mailproof`
 * the built CLI; nothing else is changed. A block that cannot run here says why in its info
 * string (```sh no-run: needs a Docker engine), and a block that is a whole test file names the
 * file that runs it (```ts twin=test/…).
 */

const blocks = docFiles().flatMap((file) => parseMarkdown(file).blocks);
const CODE_LANGS = new Set([
  "sh",
  "bash",
  "shell",
  "console",
  "ts",
  "typescript",
  "js",
  "javascript",
  "tsx",
  "mjs",
]);
const runnable = blocks.filter(
  (block) => (block.lang === "sh" || block.lang === "ts") && block.meta === "",
);
const twins = blocks.filter((block) => block.meta.startsWith("twin="));
const name = (block: CodeBlock) => `${block.file}:${block.line}`;

const SNIPPETS = join(REPO, ".docs-snippets");
const CLI = join(REPO, "dist/cli/main.js");
// curl -s prints an HTTP error body and exits 0; with --fail-with-body the block fails instead.
const SH_PRELUDE = `set -eo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n`;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  { env = {}, timeoutMs = 30_000 }: RunOptions = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
      timeout: timeoutMs,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

let sandbox: Sandbox;
let shellDir: string;

function onSandbox(code: string): string {
  return code
    .replace(/\b8025\b/g, String(sandbox.httpPort))
    .replace(/\b1025\b/g, String(sandbox.smtpPort));
}

beforeAll(async () => {
  // The options docs/verify.md starts its sandbox with.
  sandbox = await startTestSandbox({
    dnsZone: JSON.parse(readFileSync(join(REPO, "fixtures/dns/example-zone.json"), "utf8")),
    spfIp: "192.0.2.10",
  });
  // The pages assume the reader has sent some mail already: a reset email with a link and a code.
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    tls: { rejectUnauthorized: false },
  });
  await transport.sendMail({
    from: "App <no-reply@app.example.com>",
    to: "ann@example.com",
    subject: "Reset your password",
    text: "Your code is 482913. Or reset it here: https://app.example.com/reset?token=Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K",
  });
  const seeded = await fetch(
    `${sandbox.url}/api/wait?query=to:ann@example.com&after=2000-01-01T00:00:00Z`,
  );
  expect(seeded.status).toBe(200);
  mkdirSync(SNIPPETS, { recursive: true });
  shellDir = mkdtempSync(join(tmpdir(), "mailproof-docs-"));
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(SNIPPETS, { recursive: true, force: true });
  if (shellDir) rmSync(shellDir, { recursive: true, force: true });
});

test("code blocks are sh or ts, and a block that does not run says why or names its twin", () => {
  const unmarked = blocks
    .filter((block) => CODE_LANGS.has(block.lang) && block.lang !== "sh" && block.lang !== "ts")
    .map((block) => `${name(block)}: \`${block.lang}\` (write it as sh or ts so that it is run)`);
  const unexplained = blocks
    .filter((block) => (block.lang === "sh" || block.lang === "ts") && block.meta !== "")
    .filter((block) => !/^no-run: \S.{4,}/.test(block.meta) && !/^twin=\S+$/.test(block.meta))
    .map(
      (block) =>
        `${name(block)}: "${block.meta}" is neither "no-run: <reason>" nor "twin=<test file>"`,
    );
  expect([...unmarked, ...unexplained]).toEqual([]);
  expect(runnable.length).toBeGreaterThan(20);
});

describe.each(twins)("$file:$line has a twin", (block) => {
  test("that holds the block verbatim below its first comment line", () => {
    const twin = readFileSync(join(REPO, block.meta.slice("twin=".length)), "utf8");
    expect(twin.slice(twin.indexOf("\n") + 1)).toBe(block.code);
  });
});

describe("snippets run as written", () => {
  test.each(runnable.map((block) => [name(block), block] as const))(
    "%s",
    async (_name, block) => {
      let outcome: Outcome;
      if (block.lang === "sh") {
        const script =
          SH_PRELUDE + onSandbox(block.code).replace(/\bnpx mailproof\b/g, `node ${CLI}`);
        outcome = await run("bash", ["-c", script], shellDir);
        // A jq path that does not exist prints null: the block looked at the wrong field.
        expect(outcome.stdout.split("\n"), outcome.stdout).not.toContain("null");
      } else {
        const { code } = await transformWithOxc(onSandbox(block.code), "snippet.ts", {
          lang: "ts",
        });
        const file = join(SNIPPETS, `${block.file.replace(/[/.]/g, "_")}-${block.line}.mjs`);
        writeFileSync(file, code);
        outcome = await run(process.execPath, [file], REPO);
        // `console.log(…); // pass pass pass` documents what the line prints: hold the page to it.
        for (const [, printed] of block.code.matchAll(/console\.log\(.*\);\s*\/\/\s*(.+)$/gm))
          expect(outcome.stdout).toContain(printed.trim());
      }
      expect(
        outcome.code,
        `exit ${outcome.code}\n${outcome.stdout.slice(-1500)}\n${outcome.stderr.slice(-1500)}`,
      ).toBe(0);
      if (process.env.MAILPROOF_DOCS_OUTPUT) console.log(`${name(block)}\n${outcome.stdout}`);
    },
    40_000,
  );
});

test("`npx mailproof` works in a clone, without reaching a registry", async () => {
  // npx links the clone into its cache (~/.npm/_npx/<hash of the clone's path>), reading the whole
  // node_modules tree on a first run (half a minute on a loaded machine); a run killed midway
  // leaves an entry without package.json on which every later npx fails with ENOENT. So this
  // runs on an empty cache of its own, offline, as a reader's first `npx mailproof` does.
  // Linking a folder runs its `prepare` script, which would rebuild dist/ under every other test
  // running meanwhile; the reader's clone is built already (README's set-up), so scripts are off.
  const cache = mkdtempSync(join(tmpdir(), "mailproof-npx-"));
  try {
    const env = {
      npm_config_cache: cache,
      npm_config_offline: "true",
      npm_config_ignore_scripts: "true",
    };
    const outcome = await run("npx", ["--no-install", "mailproof", "--help"], REPO, {
      env,
      timeoutMs: 110_000,
    });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/mailproof/);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}, 120_000);
