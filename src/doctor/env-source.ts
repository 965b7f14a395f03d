import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ENV_KEYS, SECRET_KEYS, type MailEnv } from "./types.js";

/**
 * Where an app's mail settings come from: this process's environment, a `.env` file, or a
 * running process (`/proc/PID/environ`, the worker whose settings may differ from the web's).
 */
export function loadEnv(source: { envFile?: string; pid?: number } | null, processEnv: NodeJS.ProcessEnv): { env: MailEnv; label: string } {
  if (source?.envFile) return { env: parseEnvFile(readFileSync(source.envFile, "utf8")), label: source.envFile };
  if (source?.pid) {
    const raw = readFileSync(`/proc/${source.pid}/environ`, "utf8");
    const env: MailEnv = {};
    for (const entry of raw.split("\0")) {
      const eq = entry.indexOf("=");
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return { env, label: `pid ${source.pid}` };
  }
  return { env: { ...processEnv }, label: "environment" };
}

/** dotenv syntax: KEY=value, optional `export`, quotes, `#` comments. */
export function parseEnvFile(text: string): MailEnv {
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
  return ENV_KEYS.filter((key) => (a[key] ?? undefined) !== (b[key] ?? undefined)).map((key) => ({ key, a: mask(key, a[key]), b: mask(key, b[key]) }));
}
