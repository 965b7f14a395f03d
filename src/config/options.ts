/**
 * Sandbox options with their defaults, derived from the option table (table.ts). The CLI
 * resolves flags ← MAILPROOF_* env ← config file into these (resolve.ts); `createSandbox()`
 * takes them directly. Run `mailproof --help` or read docs/configuration.md for each one.
 */
import type { AnalysisOptionSpec, OptionSpec } from "./option.js";
import { OPTIONS, type OptionKey, type OptionTable } from "./table.js";

export type { Credentials } from "./parsers.js";

type ValueOf<S> = S extends OptionSpec<infer T> ? T : never;

export type SandboxOptions = { [K in OptionKey]: ValueOf<OptionTable[K]> };

type AnalysisKey = {
  [K in OptionKey]: OptionTable[K] extends AnalysisOptionSpec<unknown> ? K : never;
}[OptionKey];

/** What analysis reads, and all an analysis thread is given: no secrets, no listener settings. */
export type AnalysisSettings = Pick<SandboxOptions, AnalysisKey>;

const entries = Object.entries(OPTIONS) as Array<[OptionKey, OptionSpec<unknown>]>;

export const defaultOptions: Readonly<SandboxOptions> = Object.freeze(
  Object.fromEntries(entries.map(([key, spec]) => [key, spec.default])) as SandboxOptions,
);

export function withDefaults(options: Partial<SandboxOptions> = {}): SandboxOptions {
  const merged = { ...defaultOptions, ...stripUndefined(options) };
  return Object.freeze(merged);
}

export function analysisSettings(options: AnalysisSettings): AnalysisSettings {
  return Object.fromEntries(
    entries
      .filter(([, spec]) => spec.analysis)
      .map(([key]) => [key, options[key as keyof AnalysisSettings]]),
  ) as AnalysisSettings;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
