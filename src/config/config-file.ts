import { readFileSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import { MailproofError } from "../core/errors.js";
import { jsonError } from "./json-error.js";
import { nearest } from "./suggest.js";

export interface ConfigFile {
  path: string;
  /** Paths in the file (dnsZone, tlsCert, tlsKey) are relative to it. */
  dir: string;
  values: Record<string, unknown>;
}

/** Keys a JSON editor or schema tool adds, which mean nothing to mailproof. */
const IGNORED_KEYS = new Set(["$schema"]);

/**
 * The `--config` file: a JSON object with option keys in camelCase (`smtpPort`, `maxSize`,
 * `faults`, `providers`). A key that is no option is an error, never silently ignored: a
 * misspelt `maxsize` would otherwise leave the default in force unnoticed.
 */
export function readConfigFile(path: string, knownKeys: readonly string[]): ConfigFile {
  const bad = (problem: string): never => {
    throw new MailproofError("CONFIG_INVALID", `--config ${path}: ${problem}`);
  };
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    bad(
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "is a directory, not a JSON file"
            : (err as Error).message,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MailproofError("CONFIG_INVALID", `--config ${jsonError(text, err as Error, path)}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json))
    bad('expected a JSON object such as { "smtpPort": 2525 }');
  const values = json as Record<string, unknown>;
  const unknown = Object.keys(values).filter(
    (key) => !knownKeys.includes(key) && !IGNORED_KEYS.has(key),
  );
  if (unknown.length > 0) {
    const described = unknown.map((key) => {
      const guess = nearest(key, knownKeys);
      return guess ? `"${key}" (did you mean "${guess}"?)` : `"${key}"`;
    });
    bad(
      `unknown key${unknown.length > 1 ? "s" : ""} ${described.join(", ")}; docs/configuration.md lists the keys`,
    );
  }
  return { path, dir: dirname(resolvePath(path)), values };
}
