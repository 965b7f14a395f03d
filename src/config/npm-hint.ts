/**
 * `npm start --smtp-port 2529` gives `--smtp-port` to npm, not to mailproof: npm reads flags
 * before a `--` as its own settings, exports each as `npm_config_<name>`, and passes what is
 * left (`2529`) to the script. These helpers spot that from the environment npm sets.
 */

interface Swallowed {
  flag: string;
  /** "true" when the value went on as a stray word (`--smtp-port 2529`). */
  value: string;
}

function runner(env: NodeJS.ProcessEnv): string {
  const event = env.npm_lifecycle_event;
  return event === "start" || event === "test" ? `npm ${event}` : `npm run ${event}`;
}

/** Serve flags npm kept for itself in this run (none outside an npm script). */
function swallowedByNpm(env: NodeJS.ProcessEnv, flags: readonly string[]): Swallowed[] {
  if (!env.npm_lifecycle_event) return [];
  return flags.flatMap((flag) => {
    const value = env[`npm_config_${flag.replaceAll("-", "_")}`];
    return value === undefined ? [] : [{ flag, value }];
  });
}

/** A hint for a stray word on the command line, or "" when nothing suggests a lost flag. */
export function strayWordHint(
  word: string,
  env: NodeJS.ProcessEnv,
  flags: readonly string[],
): string {
  const lost = swallowedByNpm(env, flags).find((s) => s.value === "true");
  if (lost)
    return `; npm kept --${lost.flag} for itself: did you mean \`${runner(env)} -- --${lost.flag} ${word}\`?`;
  if (/^\d+$/.test(word))
    return `; a number needs its flag, e.g. \`--smtp-port ${word}\` (through npm: \`npm start -- --smtp-port ${word}\`)`;
  return "";
}

/** `npm start --smtp-port=2529`: mailproof sees no argument at all, only npm's copy in the environment. */
export function swallowedFlagsMessage(
  env: NodeJS.ProcessEnv,
  flags: readonly string[],
): string | null {
  const lost = swallowedByNpm(env, flags);
  if (lost.length === 0) return null;
  const args = lost
    .map((s) => (s.value === "true" ? `--${s.flag}` : `--${s.flag} ${s.value}`))
    .join(" ");
  return `npm kept ${lost.map((s) => `--${s.flag}`).join(", ")} for itself, so mailproof did not get it: did you mean \`${runner(env)} -- ${args}\`?`;
}
