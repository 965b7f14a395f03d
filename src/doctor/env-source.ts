import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ENV_KEYS, SECRET_KEYS, type MailEnv } from "./types.js";

/**
 * Where an app's mail settings come from: this process's environment, a `.env` file, or a
 * running process (`/proc/PID/environ`, the worker whose settings may differ from the web's).
 */
export function loadEnv(
  source: { envFile?: string; pid?: number } | null,
  processEnv: NodeJS.ProcessEnv,
): { env: MailEnv; label: string } {
  if (source?.envFile)
    return {
      env: parseEnvFile(readSource(source.envFile, `the env file ${source.envFile}`)),
      label: source.envFile,
    };
  if (source?.pid !== undefined) {
    if (!Number.isInteger(source.pid) || source.pid <= 0)
      throw new SourceError(`"${source.pid}" is not a process id`);
    const raw = readSource(`/proc/${source.pid}/environ`, `process ${source.pid}`);
    const env: MailEnv = {};
    for (const entry of raw.split("\0")) {
      const eq = entry.indexOf("=");
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return { env, label: `pid ${source.pid}` };
  }
  return { env: { ...processEnv }, label: "environment" };
}

/** A source of settings that cannot be read: bad usage, reported without a stack trace. */
export class SourceError extends Error {}

function readSource(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT")
      throw new SourceError(
        what.startsWith("process")
          ? `${what} is not running (no /proc entry)`
          : `${what} does not exist`,
      );
    if (code === "EACCES" || code === "EPERM")
      throw new SourceError(
        `${what} cannot be read by this user${what.startsWith("process") ? ": it belongs to another user; run doctor as that user (or with sudo)" : ""}`,
      );
    throw new SourceError(`${what} cannot be read: ${(err as Error).message}`);
  }
}

/** dotenv syntax: KEY=value, optional `export`, quotes, `#` comments. */
function parseEnvFile(text: string): MailEnv {
  const env: MailEnv = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    env[match[1]] = value;
  }
  return env;
}

/** A secret shown only as a short fingerprint, so two sources can be compared without leaking it. */
export function mask(key: string, value: string | undefined): string {
  if (value === undefined) return "(unset)";
  if (value === "") return "(empty)";
  if (!SECRET_KEYS.has(key)) return value;
  return `•••• (sha256 ${createHash("sha256").update(value).digest("hex").slice(0, 8)})`;
}

/** Keys whose values differ between two sources, with masked values. */
export function compareEnv(a: MailEnv, b: MailEnv): Array<{ key: string; a: string; b: string }> {
  return ENV_KEYS.filter((key) => (a[key] ?? undefined) !== (b[key] ?? undefined)).map((key) => ({
    key,
    a: mask(key, a[key]),
    b: mask(key, b[key]),
  }));
}
