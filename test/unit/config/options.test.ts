import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { serveHelp } from "../../../src/config/help.js";
import { envOf, flagOf, type OptionSpec } from "../../../src/config/option.js";
import { analysisSettings, defaultOptions, withDefaults } from "../../../src/config/options.js";
import { withReference } from "../../../src/config/reference.js";
import { resolveServeOptions } from "../../../src/config/resolve.js";
import { OPTIONS } from "../../../src/config/table.js";

const dir = mkdtempSync(join(tmpdir(), "mailproof-options-"));
const configFile = (values: unknown, name = "config.json") => {
  const path = join(dir, name);
  writeFileSync(path, typeof values === "string" ? values : JSON.stringify(values));
  return path;
};
const entries = Object.entries(OPTIONS) as Array<[string, OptionSpec<unknown>]>;

describe("every source goes through the option's parser", () => {
  test("a flag, its environment variable and its config key give the same value", () => {
    const cases: Array<[string, string, unknown, unknown]> = [
      ["smtpPort", "2525", 2525, 2525],
      ["maxSize", "10MB", "10MB", 10_000_000],
      ["smtpsPort", "off", null, null],
      ["allowedLinkHosts", "A.test,b.test", ["A.test", "b.test"], ["a.test", "b.test"]],
      ["dns", "zone,system", ["zone", "system"], ["zone", "system"]],
      [
        "smtpAuth",
        "u:p:with:colons",
        [{ user: "u", pass: "p:with:colons" }],
        [{ user: "u", pass: "p:with:colons" }],
      ],
      ["logFormat", "json", "json", "json"],
    ];
    for (const [key, text, json, expected] of cases) {
      const flag = flagOf(key, OPTIONS[key as keyof typeof OPTIONS]) as string;
      expect(
        resolveServeOptions([`--${flag}`, text], {}).options[key as keyof typeof OPTIONS],
        `--${flag}`,
      ).toEqual(expected);
      expect(
        resolveServeOptions([], { [envOf(flag)]: text }).options[key as keyof typeof OPTIONS],
        envOf(flag),
      ).toEqual(expected);
      expect(
        resolveServeOptions(["--config", configFile({ [key]: json })], {}).options[
          key as keyof typeof OPTIONS
        ],
        key,
      ).toEqual(expected);
    }
  });

  test("a flag wins over the environment, which wins over the file; an empty variable is unset", () => {
    const file = configFile({ smtpPort: 1, httpPort: 2, maxMessages: 3 });
    const { options } = resolveServeOptions(["--config", file, "--smtp-port", "10"], {
      MAILPROOF_SMTP_PORT: "20",
      MAILPROOF_HTTP_PORT: "30",
      MAILPROOF_MAX_MESSAGES: "",
    });
    expect(options).toMatchObject({ smtpPort: 10, httpPort: 30, maxMessages: 3 });
  });

  test.each([
    [{ smtpPort: "abc" }, /--config .*config\.json: "smtpPort" must be a port number .*not "abc"/],
    [{ smtpPort: 70000 }, /"smtpPort" must be a port number/],
    [{ maxMessages: true }, /"maxMessages" must be a whole number, not true/],
    [{ linkCheck: "perhaps" }, /"linkCheck" must be true or false/],
    [{ appUrl: "not a url" }, /"appUrl" must be an absolute URL/],
    [{ providers: [] }, /"providers" must be a JSON object/],
    [{ faults: "x" }, /--fault "x": starts with the stage/],
  ])(
    "a wrong value in the file is CONFIG_INVALID naming the file and key: %j",
    (values, message) => {
      expect(() => resolveServeOptions(["--config", configFile(values)], {})).toThrow(message);
    },
  );

  test("a misspelt key is an error suggesting the nearest known key", () => {
    expect(() => resolveServeOptions(["--config", configFile({ maxsize: "1MB" })], {})).toThrow(
      /unknown key "maxsize" \(did you mean "maxSize"\?\)/,
    );
    expect(() =>
      resolveServeOptions(["--config", configFile({ smtp_port: 1, wholly: 2 })], {}),
    ).toThrow(/unknown keys "smtp_port" \(did you mean "smtpPort"\?\), "wholly";/);
    expect(
      resolveServeOptions(["--config", configFile({ $schema: "./schema.json" })], {}).options
        .smtpPort,
    ).toBe(1025);
  });

  test("broken JSON names the line and column", () => {
    const path = configFile('{ "smtpPort": 2525,\n  "maxSize" "1MB" }', "broken.json");
    expect(() => resolveServeOptions(["--config", path], {})).toThrow(
      /broken\.json is not valid JSON: .* at line 2, column 13$/,
    );
  });

  test("an unknown flag suggests the nearest; a value-less flag and a stray word are refused", () => {
    expect(() => resolveServeOptions(["--smtp-prot", "1"], {})).toThrow(
      /Unknown option --smtp-prot; did you mean --smtp-port\?/,
    );
    expect(() => resolveServeOptions(["--smtpPort", "1"], {})).toThrow(
      /did you mean --smtp-port\?/,
    );
    expect(() => resolveServeOptions(["--smtp-port", "--http-port", "1"], {})).toThrow(
      /--smtp-port needs a value/,
    );
    expect(() => resolveServeOptions(["--link-check", "extra"], {})).toThrow(
      /unexpected argument "extra"/,
    );
  });

  test("a secret's bad value is not repeated in the message", () => {
    expect(() => resolveServeOptions(["--smtp-auth", "hunter2"], {})).toThrow(
      /--smtp-auth must be user:pass/,
    );
    expect(() => resolveServeOptions(["--smtp-auth", "hunter2"], {})).not.toThrow(/hunter2/);
  });
});

describe("npm swallowing a flag", () => {
  test("npm start --smtp-port 2529: the stray number gets the npm hint", () => {
    const env = { npm_lifecycle_event: "start", npm_config_smtp_port: "true" };
    expect(() => resolveServeOptions(["2529"], env)).toThrow(
      "did you mean `npm start -- --smtp-port 2529`?",
    );
  });

  test("npm start --smtp-port=2529: mailproof gets no argument, and says which flag npm kept", () => {
    const env = { npm_lifecycle_event: "start", npm_config_smtp_port: "2529" };
    expect(() => resolveServeOptions([], env)).toThrow(
      "npm kept --smtp-port for itself, so mailproof did not get it: did you mean `npm start -- --smtp-port 2529`?",
    );
    // Given after --, the flag reaches mailproof and npm's copy does not matter.
    expect(resolveServeOptions(["--smtp-port", "2529"], env).options.smtpPort).toBe(2529);
  });
});

describe("the table", () => {
  test("defaults come from the table; every option has a flag or is file-only", () => {
    for (const [key, spec] of entries)
      expect(defaultOptions[key as keyof typeof defaultOptions], key).toEqual(spec.default);
    expect(withDefaults({ smtpPort: 0 })).toMatchObject({ smtpPort: 0, httpPort: 8025 });
    expect(entries.filter(([key, spec]) => flagOf(key, spec) === null).map(([key]) => key)).toEqual(
      ["tagRules", "bounces", "providers"],
    );
  });

  test("analysis is given only its settings: no secrets, no listeners, no store", () => {
    const full = withDefaults({
      apiToken: "tok",
      smtpAuth: [{ user: "u", pass: "p" }],
      uiAuth: { user: "u", pass: "p" },
      db: "postgres://u:pw@h/db",
      tlsKey: "KEY",
      spfIp: "192.0.2.1",
    });
    const settings = analysisSettings(full);
    expect(Object.keys(settings).sort()).toEqual([
      "allowedLinkHosts",
      "appUrl",
      "dns",
      "linkCheck",
      "logFormat",
      "logLevel",
      "spamd",
      "spfIp",
    ]);
    expect(JSON.stringify(settings)).not.toMatch(/tok|pw@|KEY|"pass"/);
    for (const [key, spec] of entries) expect(spec.analysis && spec.secret, key).toBeFalsy();
  });

  test("--help lists every flag with its default", () => {
    const help = serveHelp();
    for (const [key, spec] of entries) {
      const flag = flagOf(key, spec);
      if (flag !== null) expect(help, flag).toMatch(new RegExp(`--${flag}\\b.*\\n?.*\\[`));
    }
    expect(help).toContain("--config FILE");
  });

  test("docs/configuration.md holds the table as it is now (npm run docs:config regenerates it)", () => {
    const page = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");
    expect(withReference(page)).toBe(page);
    for (const [key] of entries) expect(page, key).toContain(`\`${key}\``);
  });
});

test("a MAILPROOF_* variable one typo away from an option is a warning; other tools' variables are not", () => {
  const { warnings } = resolveServeOptions([], {
    MAILPROOF_SMTP_PROT: "2525",
    MAILPROOF_URL: "http://127.0.0.1:8025",
    MAILPROOF_TEST_LOG: "debug",
  });
  expect(warnings).toEqual([
    "MAILPROOF_SMTP_PROT is not an option and is ignored; did you mean MAILPROOF_SMTP_PORT?",
  ]);
});
