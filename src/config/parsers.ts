import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { resolve as resolvePath } from "node:path";
import { jsonError } from "./json-error.js";
import type { Parse } from "./option.js";

export interface Credentials {
  user: string;
  pass: string;
}

/**
 * Value parsers shared by every source. A flag or environment variable gives a string; the
 * config file gives JSON, where a string is read exactly as the flag would read it. Each throws
 * an Error whose message completes the option's name: "--smtp-port must be a port number …".
 */

const shown = (raw: unknown): string =>
  typeof raw === "string" ? `"${raw}"` : (JSON.stringify(raw) ?? String(raw));
const fail = (expected: string, raw: unknown): never => {
  throw new Error(`must be ${expected}, not ${shown(raw)}`);
};

export const text: Parse<string> = (raw) =>
  typeof raw === "string" && raw.trim() !== "" ? raw : fail("a non-empty string", raw);

const wholeNumber = (raw: unknown): number | null => {
  const n =
    typeof raw === "number"
      ? raw
      : typeof raw === "string" && /^\s*\d+\s*$/.test(raw)
        ? Number(raw)
        : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
};

export const port: Parse<number> = (raw) => {
  const n = wholeNumber(raw);
  return n !== null && n <= 65535 ? n : fail("a port number (0 picks a free one)", raw);
};

export const count: Parse<number> = (raw) => wholeNumber(raw) ?? fail("a whole number", raw);

/** `off` (or null in the file) leaves the thing off. */
export function orOff<T>(parse: Parse<T>): Parse<T | null> {
  return (raw, context) => (raw === null || raw === "off" ? null : parse(raw, context));
}

/** null in the file, or an empty string, means "none". */
export function orNone<T>(parse: Parse<T>): Parse<T | null> {
  return (raw, context) => (raw === null || raw === "" ? null : parse(raw, context));
}

const TRUE = ["true", "1", "yes", "on"];
const FALSE = ["false", "0", "no", "off"];
export const bool: Parse<boolean> = (raw) => {
  if (typeof raw === "boolean") return raw;
  const word = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (TRUE.includes(word)) return true;
  if (FALSE.includes(word)) return false;
  return fail("true or false", raw);
};

export function oneOf<const V extends string>(values: readonly V[]): Parse<V> {
  return (raw) =>
    typeof raw === "string" && (values as readonly string[]).includes(raw)
      ? (raw as V)
      : fail(`one of ${values.join(", ")}`, raw);
}

const MiB = 1024 * 1024;
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  mib: MiB,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** "50MiB", "10MB", "512k" or plain bytes. */
export const size: Parse<number> = (raw) => {
  if (typeof raw === "number")
    return wholeNumber(raw) ?? fail("a size such as 50MiB, 10MB or 1048576", raw);
  const match = typeof raw === "string" ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw) : null;
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) return fail("a size such as 50MiB, 10MB or 1048576", raw);
  return Math.floor(Number(match[1]) * unit);
};

export const absoluteUrl: Parse<string> = (raw) => {
  try {
    if (typeof raw === "string") return new URL(raw).toString();
  } catch {
    // reported below
  }
  return fail("an absolute URL", raw);
};

export const ipAddress: Parse<string> = (raw) =>
  typeof raw === "string" && isIP(raw.trim()) !== 0 ? raw.trim() : fail("an IP address", raw);

const DURATION_UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `7d`, `12h`, `30m`, `90s`, `2w` → milliseconds. */
export const duration: Parse<number> = (raw) => {
  const match = typeof raw === "string" ? /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(raw) : null;
  if (!match || Number(match[1]) <= 0) return fail("a duration such as 7d, 12h, 30m or 90s", raw);
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2].toLowerCase()]);
};

/** A JSON array (config file only). */
export const jsonArray: Parse<unknown[]> = (raw) =>
  Array.isArray(raw) ? raw : fail("a JSON array", raw);

/** "a,b,c" or, in the file, ["a", "b", "c"]. */
export function list<T extends string>(item: (value: string) => T = (v) => v as T): Parse<T[]> {
  return (raw) => {
    const parts =
      typeof raw === "string"
        ? raw.split(",")
        : Array.isArray(raw) && raw.every((v) => typeof v === "string")
          ? raw
          : fail("a comma-separated list", raw);
    return parts
      .map((p) => p.trim())
      .filter(Boolean)
      .map(item);
  };
}

export const dnsModes: Parse<Array<"zone" | "system">> = (raw) => {
  const modes = list()(raw, { source: "flag", baseDir: "" });
  if (modes.length === 0 || !modes.every((m) => m === "zone" || m === "system"))
    return fail("zone, system or zone,system", raw);
  return modes;
};

/** "user:pass[,user:pass]", or in the file [{ "user": …, "pass": … }]; the password may hold ':'. */
export const credentialList: Parse<Credentials[]> = (raw) => {
  if (Array.isArray(raw)) {
    if (raw.length > 0 && raw.every(isCredentials))
      return raw.map((c) => ({ user: c.user, pass: c.pass }));
    return fail('user:pass[,user:pass] or [{ "user", "pass" }]', raw);
  }
  if (typeof raw !== "string") return fail("user:pass[,user:pass]", raw);
  const pairs = raw.split(",").filter(Boolean);
  if (pairs.length === 0) return fail("user:pass[,user:pass]", raw);
  return pairs.map((pair) => {
    const colon = pair.indexOf(":");
    // The value is a secret: the message does not repeat it.
    if (colon <= 0)
      throw new Error("must be user:pass[,user:pass] (a pair has no colon or no user)");
    return { user: pair.slice(0, colon), pass: pair.slice(colon + 1) };
  });
};

function isCredentials(value: unknown): value is Credentials {
  return (
    typeof value === "object" &&
    value !== null &&
    "user" in value &&
    typeof value.user === "string" &&
    value.user !== "" &&
    "pass" in value &&
    typeof value.pass === "string"
  );
}

export const credentials: Parse<Credentials> = (raw, context) => {
  const list = credentialList(Array.isArray(raw) || typeof raw === "string" ? raw : [raw], context);
  return list.length === 1 ? list[0] : fail("one user:pass", "…");
};

function readPath(raw: unknown, baseDir: string, what: string): { path: string; content: string } {
  if (typeof raw !== "string" || raw === "") return fail(`the path of ${what}`, raw);
  const path = resolvePath(baseDir, raw);
  try {
    return { path, content: readFileSync(path, "utf8") };
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === "ENOENT"
        ? "no such file"
        : (err as NodeJS.ErrnoException).code === "EACCES"
          ? "permission denied"
          : (err as Error).message;
    throw new Error(`${raw}: cannot read ${what} (${reason})`, { cause: err });
  }
}

/** A path to a PEM file; the option holds the file's contents. */
export const pemFile: Parse<string> = (raw, { baseDir }) =>
  readPath(raw, baseDir, "the PEM file").content;

/** A path to a JSON file (relative to the config file there), or in the file the JSON object itself. */
export const jsonObjectOrFile: Parse<Record<string, unknown>> = (raw, { baseDir, source }) => {
  if (source === "file" && raw !== null && typeof raw === "object" && !Array.isArray(raw))
    return raw as Record<string, unknown>;
  const { path, content } = readPath(raw, baseDir, "the JSON file");
  const name = String(raw); // readPath accepts only a string
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (err) {
    throw new Error(`${name}: ${jsonError(content, err as Error, path)}`, { cause: err });
  }
  return json !== null && typeof json === "object" && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : fail(`a JSON object in ${name}`, json);
};

/** Only in the config file: a JSON object, checked in depth where it is used. */
export const jsonObject: Parse<Record<string, unknown>> = (raw) =>
  raw !== null && typeof raw === "object" && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : fail("a JSON object", raw);
