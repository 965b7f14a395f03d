import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSelfSigned } from "../../src/smtp/tls.js";
import { runCli } from "../helpers/cli.js";

/** Start-up failures through the real binary: one line on stderr, exit 2, no stack. */
const dir = mkdtempSync(join(tmpdir(), "mailproof-startup-"));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const FREE_PORTS = ["--smtp-port", "0", "--http-port", "0"];

async function failsWith(args: string[], message: string | RegExp, env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(args, { MAILPROOF_LOG_LEVEL: "warn", ...env });
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mailproof: /);
  if (typeof message === "string") expect(lines[0]).toContain(message);
  else expect(lines[0]).toMatch(message);
}

function occupiedPort(): Promise<net.Server & { port: number }> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () =>
      resolve(Object.assign(server, { port: (server.address() as net.AddressInfo).port })),
    );
  });
}

describe("a port in use", () => {
  let taken: net.Server & { port: number };
  beforeAll(async () => {
    taken = await occupiedPort();
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  test("names the listener, the address and the flag to change", async () => {
    await failsWith(
      ["--smtp-port", String(taken.port), "--http-port", "0"],
      `smtp cannot listen on 127.0.0.1:${taken.port}: the port is in use; choose another port with --smtp-port (0 picks a free one)`,
    );
    await failsWith(
      ["--smtp-port", "0", "--http-port", String(taken.port)],
      `http cannot listen on 127.0.0.1:${taken.port}: the port is in use; choose another port with --http-port`,
    );
    await failsWith([...FREE_PORTS, "--smtps-port", String(taken.port)], "smtps cannot listen");
  });
});

describe("--db", () => {
  test("in a directory that does not exist", async () => {
    await failsWith(
      [...FREE_PORTS, "--db", join(dir, "missing", "mail.db")],
      `the directory ${join(dir, "missing")} does not exist; create it (mkdir -p`,
    );
  });

  test.runIf(process.platform === "linux")("where nothing can be written", async () => {
    await failsWith(
      [...FREE_PORTS, "--db", "/proc/mailproof.db"],
      "--db /proc/mailproof.db: cannot open it for writing",
    );
  });

  test("naming a file that is not a database", async () => {
    await failsWith(
      [...FREE_PORTS, "--db", file("notes.txt", "not a database, just notes\n".repeat(200))],
      "notes.txt is not a usable SQLite database",
    );
  });

  test("naming a directory", async () => {
    const sub = join(dir, "a-directory");
    mkdirSync(sub, { recursive: true });
    await failsWith([...FREE_PORTS, "--db", sub], `--db ${sub}: cannot open it for writing`);
  });
});

describe("--tls-cert / --tls-key", () => {
  test("an unreadable file", async () => {
    await failsWith(
      [...FREE_PORTS, "--tls-cert", join(dir, "nope.pem"), "--tls-key", join(dir, "nope.key")],
      `--tls-cert ${join(dir, "nope.pem")}: cannot read the PEM file (no such file)`,
    );
  });

  test("a key of another certificate", async () => {
    const [one, two] = await Promise.all([generateSelfSigned(), generateSelfSigned()]);
    await failsWith(
      [
        ...FREE_PORTS,
        "--tls-cert",
        file("one.crt", one.cert),
        "--tls-key",
        file("two.key", two.key),
      ],
      "--tls-cert/--tls-key: the key does not belong to the certificate",
    );
  });

  test("a file that holds no certificate", async () => {
    const pair = await generateSelfSigned();
    await failsWith(
      [
        ...FREE_PORTS,
        "--tls-cert",
        file("key-as-cert.pem", pair.key),
        "--tls-key",
        file("good.key", pair.key),
      ],
      "the certificate is not a PEM certificate",
    );
  });
});

describe("--config", () => {
  test("a missing file", async () => {
    await failsWith(
      ["--config", join(dir, "absent.json")],
      `--config ${join(dir, "absent.json")}: no such file`,
    );
  });

  test("broken JSON, with the line and column", async () => {
    await failsWith(
      ["--config", file("broken.json", '{\n  "smtpPort": 2525\n  "maxSize": "1MB"\n}')],
      /broken\.json is not valid JSON: .* at line 3, column 3$/,
    );
  });

  test('{"smtpPort":"abc"} no longer starts a server on port undefined', async () => {
    await failsWith(
      ["--config", file("abc.json", '{"smtpPort":"abc"}')],
      '"smtpPort" must be a port number (0 picks a free one), not "abc"',
    );
  });

  test("a misspelt key is an error with the nearest known key", async () => {
    await failsWith(
      ["--config", file("typo.json", '{"maxsize":"1MB"}')],
      'unknown key "maxsize" (did you mean "maxSize"?)',
    );
  });
});

describe("command line", () => {
  test("--help lists every subcommand with a line each, then serve's options", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["serve", "send", "sendmail", "doctor", "help"])
      expect(result.stdout).toMatch(new RegExp(`^  ${command} +\\S.+$`, "m"));
    expect(result.stdout).toContain("--smtp-port N");
  });

  test("mailproof help <command> prints that command's help", async () => {
    expect((await runCli(["help", "send"])).stdout).toContain("mailproof send [options]");
    expect((await runCli(["help", "doctor"])).stdout).toContain("mailproof doctor [options]");
    expect((await runCli(["help", "serve"])).stdout).toContain("--log-format FORMAT");
    expect((await runCli(["help"])).stdout).toContain("mailproof <command> [options]");
  });

  test("an unknown command or option exits 2 with a hint", async () => {
    await failsWith(["sned"], /unknown command "sned"; did you mean "send"\?/);
    await failsWith(["help", "nope"], 'unknown command "nope"');
    await failsWith(
      ["--smtp-prot", "2525"],
      "Unknown option --smtp-prot; did you mean --smtp-port?",
    );
    await failsWith(
      ["send", "--too", "x@example.test"],
      /Unknown option '--too'.*mailproof help send lists the options/,
    );
  });

  // The real npm, running this package's start script.
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const npmStart = (...args: string[]) =>
    spawnSync("npm", ["start", "--silent", ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, MAILPROOF_LOG_LEVEL: "warn" },
    });

  test("npm start --smtp-port 2529 (without --) says how to pass the flag", () => {
    const result = npmStart("--smtp-port", "2529");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("did you mean `npm start -- --smtp-port 2529`?");
  });

  test("npm start --smtp-port=2529 does not start on the default port unnoticed", () => {
    const result = npmStart("--smtp-port=2529");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "npm kept --smtp-port for itself, so mailproof did not get it: did you mean `npm start -- --smtp-port 2529`?",
    );
  });
});
