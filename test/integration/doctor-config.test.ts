import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { CLI } from "../helpers/cli.js";
import {
  runDoctorCli,
  runDoctorInProcess,
  scratch,
  stageOf,
  writeJson,
} from "../helpers/doctor.js";
import { startTestSandbox } from "../helpers/sandbox.js";

// Where doctor reads settings from (framework names, files, processes) and how it reports bad usage.
const dir = scratch();
const zone = writeJson(dir, "zone.json", {});
const args = ["--json", "--timeout", "2000", "--dns-zone", zone];
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox?.stop());

describe.concurrent("framework setting names", () => {
  const cases: Array<{ framework: string; env: () => Record<string, string>; read: string[] }> = [
    {
      framework: "Laravel",
      env: () => ({
        MAIL_HOST: "127.0.0.1",
        MAIL_PORT: String(sandbox.smtpPort),
        MAIL_USERNAME: "app",
        MAIL_PASSWORD: "secret",
        MAIL_ENCRYPTION: "tls",
        MAIL_FROM_ADDRESS: "noreply@app.test",
        MAIL_FROM_NAME: "App",
      }),
      read: [
        "SMTP_HOST from MAIL_HOST (Laravel)",
        "SMTP_PASSWORD from MAIL_PASSWORD (Laravel)",
        "SMTP_SECURE from MAIL_ENCRYPTION (Laravel)",
        "MAIL_FROM from MAIL_FROM_ADDRESS (Laravel)",
      ],
    },
    {
      framework: "Django",
      env: () => ({
        EMAIL_HOST: "127.0.0.1",
        EMAIL_PORT: String(sandbox.smtpPort),
        EMAIL_HOST_USER: "app",
        EMAIL_HOST_PASSWORD: "secret",
        EMAIL_USE_TLS: "True",
        DEFAULT_FROM_EMAIL: "noreply@app.test",
      }),
      read: [
        "SMTP_HOST from EMAIL_HOST (Django)",
        "SMTP_USER from EMAIL_HOST_USER (Django)",
        "SMTP_SECURE from EMAIL_USE_TLS (Django)",
        "MAIL_FROM from DEFAULT_FROM_EMAIL (Django)",
      ],
    },
    {
      framework: "Rails",
      env: () => ({
        SMTP_ADDRESS: "127.0.0.1",
        SMTP_PORT: String(sandbox.smtpPort),
        SMTP_USERNAME: "app",
        SMTP_PASSWORD: "secret",
        MAIL_FROM: "noreply@app.test",
      }),
      read: ["SMTP_HOST from SMTP_ADDRESS (Rails)", "SMTP_USER from SMTP_USERNAME (Rails)"],
    },
  ];
  test.each(cases)("$framework names reach the same stages", async ({ env, read }) => {
    const run = await runDoctorInProcess(
      { ...env(), TEST_EMAIL: "doctor@inbox.test" },
      { zoneFile: zone, timeoutMs: 5000 },
    );
    const settings = stageOf(run, "env");
    for (const line of read) expect(settings.evidence).toContain(`read ${line}`);
    expect(stageOf(run, "auth").status).toBe("pass");
    expect(stageOf(run, "send").status).toBe("pass");
  });

  test("a near-miss name (SMTP_PASS) is named as such", async () => {
    const run = await runDoctorInProcess(
      {
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(sandbox.smtpPort),
        SMTP_USER: "app",
        SMTP_PASS: "secret",
        MAIL_FROM: "noreply@app.test",
      },
      { zoneFile: zone, timeoutMs: 5000 },
    );
    const settings = stageOf(run, "env");
    expect(settings.cause?.code).toBe("env.near-miss");
    expect(settings.summary).toMatch(/SMTP_PASS is set but SMTP_PASSWORD is not/);
    expect(settings.next).toContain("rename SMTP_PASS to SMTP_PASSWORD");
  });
});

// Each case starts a Node process; under load that alone can take many seconds.
describe.concurrent(
  "bad usage exits 2 with a message, never a stack trace",
  { timeout: 120_000 },
  () => {
    test.each([
      { name: "an unknown option", argv: ["--bogus"], message: /Unknown option '--bogus'/ },
      {
        name: "a --pid that is not running",
        argv: ["--pid", "999999999"],
        message: /process 999999999 is not running/,
      },
      {
        name: "a --compare file that does not exist",
        argv: ["--compare", "/nonexistent/worker.env"],
        message: /the env file \/nonexistent\/worker\.env does not exist/,
      },
      {
        name: "a --compare pid that is not running",
        argv: ["--compare", "pid:999999999"],
        message: /process 999999999 is not running/,
      },
      {
        name: "a --pid that is not a number",
        argv: ["--pid", "web"],
        message: /--pid must be a process id/,
      },
      {
        name: "an invalid --timeout",
        argv: ["--timeout", "soon"],
        message: /--timeout must be a positive number/,
      },
      {
        name: "an unreadable --dns-zone",
        argv: ["--dns-zone", "/nonexistent/zone.json"],
        message: /--dns-zone \/nonexistent\/zone\.json/,
      },
    ])("$name", async ({ argv, message }) => {
      const run = await runDoctorCli({}, argv);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe("");
    });

    test("--help documents the exit codes", async () => {
      const run = await runDoctorCli({}, ["--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ {2}0 {2}no stage failed/m);
      expect(run.stdout).toMatch(/^ {2}1 {2}a stage failed/m);
      expect(run.stdout).toMatch(/^ {2}2 {2}bad usage/m);
    });

    test("--env-file after the command is doctor's, not Node's (node dist/cli/main.js doctor --env-file x)", async () => {
      const file = join(dir, "laravel.env");
      writeFileSync(
        file,
        `MAIL_HOST=127.0.0.1\nMAIL_PORT=${sandbox.smtpPort}\nMAIL_FROM_ADDRESS="noreply@app.test"\n`,
      );
      const run = await runDoctorCli({}, [...args, "--env-file", file]);
      expect(stageOf(run, "env").evidence).toContain("read SMTP_HOST from MAIL_HOST (Laravel)");
      expect(stageOf(run, "connect").status).toBe("pass");
    });
  },
);

describe("terminal output", { timeout: 120_000 }, () => {
  /** Runs doctor under a pseudo-terminal (util-linux `script`), as a person at a terminal sees it. */
  function onTerminal(extraEnv: Record<string, string>): Promise<string> {
    return new Promise((resolve) => {
      const command = `stty cols 60; ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} doctor --timeout 2000 --dns-zone ${JSON.stringify(zone)}`;
      const child = spawn("script", ["-qec", command, "/dev/null"], {
        env: {
          ...process.env,
          MAIL_FROM: "noreply@app.test",
          SMTP_HOST: "127.0.0.1",
          SMTP_PORT: String(sandbox.smtpPort),
          APP_URL: "http://localhost:3000",
          ...extraEnv,
        },
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.once("exit", () => resolve(out));
    });
  }

  test("each stage is shown as it runs, in colour, wrapped to the terminal's width", async () => {
    const out = await onTerminal({});
    expect(out).toMatch(/connect … running \(network steps time out after 2 s\)/);
    expect(out).toContain("\x1b[31mFAIL\x1b[0m");
    // eslint-disable-next-line no-control-regex -- strips ANSI colour sequences, which start with ESC
    const visible = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").split(/\r?\n|\r/);
    expect(visible.filter((l) => l.length > 60)).toEqual([]);
  });

  test("NO_COLOR turns colours off", async () => {
    const out = await onTerminal({ NO_COLOR: "1" });
    expect(out).toMatch(/links\s+FAIL/);
    // eslint-disable-next-line no-control-regex -- an ANSI colour sequence starts with ESC
    expect(out).not.toMatch(/\x1b\[3\dm/);
  });
});
