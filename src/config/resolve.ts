import { readFileSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import { parseArgs } from "node:util";
import { MailproofError } from "../core/errors.js";
import { parseFaultFlag } from "../faults/compact.js";
import { parseDuration } from "../ingest/age-retention.js";
import { MiB, withDefaults, type Credentials, type SandboxOptions } from "./options.js";

/**
 * `serve` options: each flag is also read from MAILPROOF_<NAME> and from the `--config` JSON
 * file (camelCase keys). Precedence: flag, then environment, then file, then default.
 */
const FLAGS = {
  host: { type: "string" },
  "smtp-port": { type: "string" },
  "smtps-port": { type: "string" },
  "http-port": { type: "string" },
  db: { type: "string" },
  "max-messages": { type: "string" },
  "max-size": { type: "string" },
  "smtp-auth": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "max-connections": { type: "string" },
  "max-recipients": { type: "string" },
  "smtp-timeout": { type: "string" },
  "dns-zone": { type: "string" },
  dns: { type: "string" },
  "spf-ip": { type: "string" },
  "app-url": { type: "string" },
  "allowed-link-hosts": { type: "string" },
  "link-check": { type: "boolean" },
  spamd: { type: "string" },
  relay: { type: "string" },
  "pop3-port": { type: "string" },
  "mail-auth": { type: "string" },
  "max-age": { type: "string" },
  webhook: { type: "string" },
  "webhook-limit": { type: "string" },
  "relay-allow": { type: "string" },
  "relay-matching": { type: "string" },
  "ui-auth": { type: "string" },
  "api-token": { type: "string" },
  cors: { type: "string" },
  // Repeatable, compact SMTP fault rules (src/faults/compact.ts); replaces the config file's `faults`.
  fault: { type: "string", multiple: true },
  config: { type: "string" },
  "log-level": { type: "string" },
  "analysis-workers": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type FlagName = keyof typeof FLAGS;

export interface ResolvedCli {
  options: SandboxOptions;
  help: boolean;
}

export function resolveServeOptions(argv: string[], env: NodeJS.ProcessEnv): ResolvedCli {
  const { values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true });
  const fromEnv = (name: FlagName): string | undefined => env[`MAILPROOF_${name.toUpperCase().replaceAll("-", "_")}`];
  const pick = (name: FlagName): string | undefined => {
    const flag = values[name];
    if (typeof flag === "string") return flag;
    if (flag === true) return "true";
    return fromEnv(name);
  };

  const configPath = pick("config");
  const file: ConfigFile = configPath ? readConfigFile(configPath) : { options: {} };
  const baseDir = configPath ? dirname(resolvePath(configPath)) : process.cwd();

  const options: Partial<SandboxOptions> = { ...file.options };
  const set = <K extends keyof SandboxOptions>(key: K, flag: FlagName, convert: (v: string) => SandboxOptions[K]) => {
    const value = pick(flag);
    if (value !== undefined) options[key] = convert(value);
  };
  set("host", "host", (v) => v);
  set("smtpPort", "smtp-port", (v) => port(v, "smtp-port"));
  set("smtpsPort", "smtps-port", (v) => (v === "off" ? null : port(v, "smtps-port")));
  set("httpPort", "http-port", (v) => port(v, "http-port"));
  set("db", "db", (v) => v);
  set("maxMessages", "max-messages", (v) => count(v, "max-messages"));
  set("maxSize", "max-size", parseSize);
  set("smtpAuth", "smtp-auth", parseCredentialList);
  set("tlsCert", "tls-cert", (v) => readText(v, "tls-cert"));
  set("tlsKey", "tls-key", (v) => readText(v, "tls-key"));
  set("maxConnections", "max-connections", (v) => count(v, "max-connections"));
  set("maxRecipients", "max-recipients", (v) => count(v, "max-recipients"));
  set("smtpTimeout", "smtp-timeout", (v) => count(v, "smtp-timeout"));
  set("dnsZone", "dns-zone", (v) => readJson(v, "dns-zone") as Record<string, unknown>);
  set("dns", "dns", parseDnsMode);
  set("spfIp", "spf-ip", (v) => v);
  set("appUrl", "app-url", (v) => url(v, "app-url"));
  set("allowedLinkHosts", "allowed-link-hosts", (v) => v.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean));
  set("linkCheck", "link-check", (v) => v === "true" || v === "1");
  set("spamd", "spamd", (v) => v);
  set("relay", "relay", (v) => v);
  set("pop3Port", "pop3-port", (v) => (v === "off" ? null : port(v, "pop3-port")));
  set("mailAuth", "mail-auth", parseCredentialList);
  set("maxAge", "max-age", (v) => parseDuration(v, "--max-age"));
  set("webhook", "webhook", (v) => url(v, "webhook"));
  set("webhookLimit", "webhook-limit", (v) => count(v, "webhook-limit"));
  set("relayAllow", "relay-allow", (v) => v.split(",").map((g) => g.trim()).filter(Boolean));
  set("relayMatching", "relay-matching", (v) => v);
  set("uiAuth", "ui-auth", (v) => parseCredentialList(v)[0]);
  set("apiToken", "api-token", (v) => v);
  set("cors", "cors", (v) => v);
  set("logLevel", "log-level", (v) => v);
  set("analysisWorkers", "analysis-workers", (v) => count(v, "analysis-workers"));
  // MAILPROOF_FAULT holds several rules separated by ";".
  const faultFlags = values.fault ?? (fromEnv("fault") !== undefined ? [fromEnv("fault") as string] : []);
  if (faultFlags.length > 0) options.faults = faultFlags.flatMap(parseFaultFlag);
  if (typeof file.dnsZonePath === "string") options.dnsZone ??= readJson(resolvePath(baseDir, file.dnsZonePath), "dnsZone") as Record<string, unknown>;
  if (options.tlsCert === undefined && typeof file.tlsCertPath === "string") options.tlsCert = readText(resolvePath(baseDir, file.tlsCertPath), "tlsCert");
  if (options.tlsKey === undefined && typeof file.tlsKeyPath === "string") options.tlsKey = readText(resolvePath(baseDir, file.tlsKeyPath), "tlsKey");
  if ((options.tlsCert == null) !== (options.tlsKey == null)) {
    throw new MailproofError("CONFIG_INVALID", "--tls-cert and --tls-key go together");
  }
  return { options: withDefaults(options), help: values.help === true };
}

interface ConfigFile {
  options: Partial<SandboxOptions>;
  dnsZonePath?: unknown;
  tlsCertPath?: unknown;
  tlsKeyPath?: unknown;
}

/**
 * The config file holds any option in camelCase plus `faults` and `providers`. `dnsZone`,
 * `tlsCert` and `tlsKey` may be paths (relative to the file) instead of inline values.
 */
function readConfigFile(path: string): ConfigFile {
  const json = readJson(path, "config");
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new MailproofError("CONFIG_INVALID", `--config ${path}: expected a JSON object`);
  }
  const { dnsZone, tlsCert, tlsKey, smtpAuth, uiAuth, maxSize, ...options } = json as Record<string, unknown>;
  const result: ConfigFile = { options: options as Partial<SandboxOptions> };
  if (typeof dnsZone === "string") result.dnsZonePath = dnsZone;
  else if (dnsZone && typeof dnsZone === "object") result.options.dnsZone = dnsZone as Record<string, unknown>;
  if (typeof tlsCert === "string") result.tlsCertPath = tlsCert;
  if (typeof tlsKey === "string") result.tlsKeyPath = tlsKey;
  if (typeof smtpAuth === "string") result.options.smtpAuth = parseCredentialList(smtpAuth);
  else if (Array.isArray(smtpAuth)) result.options.smtpAuth = smtpAuth as Credentials[];
  if (typeof uiAuth === "string") result.options.uiAuth = parseCredentialList(uiAuth)[0];
  if (typeof maxSize === "string") result.options.maxSize = parseSize(maxSize);
  else if (typeof maxSize === "number") result.options.maxSize = maxSize;
  return result;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new MailproofError("CONFIG_INVALID", `${what}: cannot read ${path}: ${(err as Error).message}`);
  }
}

function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MailproofError("CONFIG_INVALID", `${what}: ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function port(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new MailproofError("CONFIG_INVALID", `--${name} must be a port number (0 picks a free one), not "${value}"`);
  return n;
}

function count(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new MailproofError("CONFIG_INVALID", `--${name} must be a whole number, not "${value}"`);
  return n;
}

function url(value: string, name: string): string {
  try {
    return new URL(value).toString();
  } catch {
    throw new MailproofError("CONFIG_INVALID", `--${name} must be an absolute URL, not "${value}"`);
  }
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1000, kb: 1000, kib: 1024, m: 1000 ** 2, mb: 1000 ** 2, mib: MiB, g: 1000 ** 3, gb: 1000 ** 3, gib: 1024 ** 3 };

/** "50MiB", "10MB", "512k" or plain bytes. */
export function parseSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new MailproofError("CONFIG_INVALID", `--max-size must be a size such as 50MiB, 10MB or 1048576, not "${value}"`);
  return Math.floor(Number(match[1]) * unit);
}

/** "user:pass[,user:pass]"; the password may itself contain ':'. */
export function parseCredentialList(value: string): Credentials[] {
  const list = value.split(",").filter(Boolean).map((pair) => {
    const colon = pair.indexOf(":");
    if (colon <= 0) throw new MailproofError("CONFIG_INVALID", `credentials must be user:pass, not "${pair}"`);
    return { user: pair.slice(0, colon), pass: pair.slice(colon + 1) };
  });
  if (list.length === 0) throw new MailproofError("CONFIG_INVALID", "credentials must be user:pass[,user:pass]");
  return list;
}

function parseDnsMode(value: string): Array<"zone" | "system"> {
  const modes = value.split(",").map((m) => m.trim());
  if (modes.length === 0 || !modes.every((m) => m === "zone" || m === "system")) {
    throw new MailproofError("CONFIG_INVALID", `--dns must be zone, system or zone,system, not "${value}"`);
  }
  return modes as Array<"zone" | "system">;
}
