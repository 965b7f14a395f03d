/**
 * The shape of one `serve` option in the table (table.ts). Its flag, environment variable and
 * config-file key all derive from the table key, so the three never drift apart.
 */

/** Where a raw value came from: a flag or environment variable gives a string, the file any JSON. */
export interface ParseContext {
  source: "flag" | "env" | "file";
  /** Relative paths resolve against this: the working directory, or the config file's directory. */
  baseDir: string;
}

/** Reads a raw value or throws an Error whose message completes "--name …" (e.g. "must be a port"). */
export type Parse<T> = (raw: unknown, context: ParseContext) => T;

export type OptionGroup =
  | "Listeners"
  | "Storage and retention"
  | "SMTP"
  | "TLS"
  | "Analysis"
  | "HTTP access"
  | "POP3 and IMAP"
  | "Relay and webhooks"
  | "Round trips"
  | "Faults and providers"
  | "Logging";

export const OPTION_GROUPS: readonly OptionGroup[] = [
  "Listeners",
  "Storage and retention",
  "SMTP",
  "TLS",
  "Analysis",
  "HTTP access",
  "POP3 and IMAP",
  "Relay and webhooks",
  "Round trips",
  "Faults and providers",
  "Logging",
];

export interface OptionSpec<T> {
  group: OptionGroup;
  /** One line for `--help` and the configuration reference. */
  help: string;
  default: T;
  /** How the default reads in help and docs when the value itself says little (null, bytes). */
  defaultText?: string;
  parse: Parse<T>;
  /** Placeholder for the flag's value in help (`N`, `FILE`); absent for a boolean switch. */
  arg?: string;
  /**
   * The flag when it differs from the kebab-cased key (`--fault` fills `faults`); null when the
   * option is only read from the config file.
   */
  flag?: string | null;
  /** The flag may be given several times; each value's parsed list is concatenated. */
  repeatable?: boolean;
  /** Never logged, never copied to analysis threads. */
  secret?: boolean;
  /** Analysis needs it, so it is copied to every analysis thread. */
  analysis?: boolean;
}

/** An option analysis reads: `analysis: true` at the type level selects it for AnalysisSettings. */
export type AnalysisOptionSpec<T> = OptionSpec<T> & { analysis: true };

export function option<T>(spec: OptionSpec<T>): OptionSpec<T> {
  return spec;
}

export function analysisOption<T>(
  spec: Omit<OptionSpec<T>, "analysis" | "secret">,
): AnalysisOptionSpec<T> {
  return { ...spec, analysis: true };
}

/** `smtpPort` → `smtp-port`. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The flag's name without dashes, or null for a file-only option. */
export function flagOf(key: string, spec: OptionSpec<unknown>): string | null {
  return spec.flag === undefined ? kebab(key) : spec.flag;
}

/** `smtp-port` → `MAILPROOF_SMTP_PORT`. */
export function envOf(flag: string): string {
  return `MAILPROOF_${flag.toUpperCase().replaceAll("-", "_")}`;
}
