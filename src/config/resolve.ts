import { parseArgs } from "node:util";
import { MailproofError } from "../core/errors.js";
import { readConfigFile, type ConfigFile } from "./config-file.js";
import { envOf, flagOf, type OptionSpec, type ParseContext } from "./option.js";
import { withDefaults, type SandboxOptions } from "./options.js";
import { strayWordHint, swallowedFlagsMessage } from "./npm-hint.js";
import { nearest } from "./suggest.js";
import { META_FLAGS, OPTIONS, type OptionKey } from "./table.js";

interface ResolvedCli {
  options: SandboxOptions;
  help: boolean;
  /** Problems that do not stop the start, e.g. a MAILPROOF_* variable that looks misspelt. */
  warnings: string[];
}

const ENTRIES = Object.entries(OPTIONS) as Array<[OptionKey, OptionSpec<unknown>]>;
/** flag name → table key, for every option a flag can set. */
const BY_FLAG = new Map(
  ENTRIES.flatMap(([key, spec]) =>
    flagOf(key, spec) === null ? [] : [[flagOf(key, spec) as string, key] as const],
  ),
);

/** Every `serve` flag without its dashes. */
export const SERVE_FLAGS: readonly string[] = [...BY_FLAG.keys(), ...Object.keys(META_FLAGS)];

/**
 * Reads `serve`'s options from its flags, MAILPROOF_* variables and the `--config` file, each
 * through the option's one parser. Precedence: flag, then environment, then file, then default.
 * Any bad value, unknown flag or unknown file key is a CONFIG_INVALID naming its source.
 */
export function resolveServeOptions(argv: string[], env: NodeJS.ProcessEnv): ResolvedCli {
  const flags = readFlags(argv, env);
  // Help is printed whatever the environment or the config file hold.
  if (flags.help) return { options: withDefaults({}), help: true, warnings: [] };
  const lost = swallowedFlagsMessage(
    env,
    SERVE_FLAGS.filter((flag) => !flags.given.has(flag)),
  );
  if (lost) throw new MailproofError("CONFIG_INVALID", lost);
  const envValue = (flag: string): string | undefined =>
    env[envOf(flag)] === "" ? undefined : env[envOf(flag)];
  const configPath = flags.config ?? envValue("config");
  const file: ConfigFile | null = configPath
    ? readConfigFile(configPath, Object.keys(OPTIONS))
    : null;
  const cwd = { baseDir: process.cwd() };

  const options: Partial<Record<OptionKey, unknown>> = {};
  for (const [key, spec] of ENTRIES) {
    const flag = flagOf(key, spec);
    const given = flags.values.get(key);
    if (flag !== null && given !== undefined) {
      const parsed = given.map((raw) =>
        parseWith(spec, raw, { source: "flag", ...cwd }, `--${flag}`),
      );
      options[key] = spec.repeatable ? parsed.flat() : parsed.at(-1);
    } else if (flag !== null && envValue(flag) !== undefined) {
      options[key] = parseWith(spec, envValue(flag), { source: "env", ...cwd }, envOf(flag));
    } else if (file && key in file.values) {
      options[key] = parseWith(
        spec,
        file.values[key],
        { source: "file", baseDir: file.dir },
        `--config ${file.path}: "${key}"`,
      );
    }
  }
  if ((options.tlsCert == null) !== (options.tlsKey == null)) {
    throw new MailproofError(
      "CONFIG_INVALID",
      "--tls-cert and --tls-key go together: give both, or neither for a generated self-signed pair",
    );
  }
  return {
    options: withDefaults(options as Partial<SandboxOptions>),
    help: flags.help,
    warnings: misspeltVariables(env),
  };
}

function parseWith(
  spec: OptionSpec<unknown>,
  raw: unknown,
  context: ParseContext,
  label: string,
): unknown {
  try {
    return spec.parse(raw, context);
  } catch (err) {
    // The compact fault syntax names the flag in its own messages.
    if (err instanceof MailproofError) throw err;
    throw new MailproofError("CONFIG_INVALID", `${label} ${(err as Error).message}`, {
      cause: err,
    });
  }
}

interface Flags {
  given: Set<string>;
  values: Map<OptionKey, unknown[]>;
  config: string | undefined;
  help: boolean;
}

function readFlags(argv: string[], env: NodeJS.ProcessEnv): Flags {
  const switches = new Set([
    ...ENTRIES.filter(([, spec]) => spec.arg === undefined).map(([key, spec]) => flagOf(key, spec)),
    "help",
  ]);
  const parseOptions = Object.fromEntries(
    SERVE_FLAGS.map(
      (flag) =>
        [flag, { type: switches.has(flag) ? "boolean" : "string", multiple: true }] as const,
    ),
  );
  // Not strict: unknown flags and stray words are reported below, with a suggestion.
  const { tokens } = parseArgs({
    args: argv,
    options: { ...parseOptions, help: { type: "boolean", short: "h", multiple: true } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: Flags = { given: new Set(), values: new Map(), config: undefined, help: false };
  for (const token of tokens) {
    if (token.kind === "positional")
      throw new MailproofError("CONFIG_INVALID", strayWordMessage(token.value, env));
    if (token.kind !== "option") continue;
    const { name, rawName } = token;
    if (!SERVE_FLAGS.includes(name)) {
      const guess = nearest(name, SERVE_FLAGS);
      throw new MailproofError(
        "CONFIG_INVALID",
        `Unknown option ${rawName}${guess ? `; did you mean --${guess}?` : ""} (mailproof serve --help lists them)`,
      );
    }
    if (
      !switches.has(name) &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith("--")))
    ) {
      throw new MailproofError("CONFIG_INVALID", `--${name} needs a value`);
    }
    flags.given.add(name);
    if (name === "help") flags.help = true;
    else if (name === "config") flags.config = token.value;
    else {
      const key = BY_FLAG.get(name) as OptionKey;
      // A bare switch is true; `--link-check=false` is read by the option's parser.
      const raw = switches.has(name) ? (token.inlineValue ? token.value : true) : token.value;
      flags.values.set(key, [...(flags.values.get(key) ?? []), raw]);
    }
  }
  return flags;
}

function strayWordMessage(word: string, env: NodeJS.ProcessEnv): string {
  return `unexpected argument "${word}": serve takes only --options${strayWordHint(word, env, SERVE_FLAGS)} (mailproof serve --help lists them)`;
}

/**
 * Other tools read MAILPROOF_* variables too (the client's MAILPROOF_URL), so an unknown one is
 * not an error; one a letter or two away from an option is most likely a typo.
 */
function misspeltVariables(env: NodeJS.ProcessEnv): string[] {
  const known = SERVE_FLAGS.filter((flag) => flag !== "help").map(envOf);
  return Object.keys(env)
    .filter((name) => name.startsWith("MAILPROOF_") && !known.includes(name))
    .flatMap((name) => {
      const guess = nearest(
        name.slice("MAILPROOF_".length),
        known.map((k) => k.slice("MAILPROOF_".length)),
      );
      return guess
        ? [`${name} is not an option and is ignored; did you mean MAILPROOF_${guess}?`]
        : [];
    });
}
