import { readFileSync } from "node:fs";

/** How the app sends mail: straight over SMTP, or through Postmark's HTTP API (or a mock of it). */
export type MailTransportConfig =
  | {
      kind: "smtp";
      host: string;
      port: number;
      user: string | null;
      password: string | null;
      secure: boolean;
    }
  | { kind: "postmark"; apiUrl: string; serverToken: string };

export interface DkimConfig {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export interface AppConfig {
  /** Address to bind. @default "127.0.0.1" */
  host: string;
  /** Port the web app listens on; 0 picks a free one. */
  port: number;
  /** Public base URL used in email links; null means "where the app is listening". */
  appUrl: string | null;
  /** The From address of every email, e.g. `SaaS <no-reply@saas.example>`. */
  mailFrom: string;
  transport: MailTransportConfig;
  /** DKIM signing for SMTP sends (RFC 6376); providers sign themselves. */
  dkim: DkimConfig | null;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name} must be a port number, not "${raw}"`);
  return n;
}

/**
 * The twelve-factor way: everything from the environment.
 *
 * SMTP_HOST, SMTP_PORT (587), SMTP_USER, SMTP_PASSWORD, SMTP_SECURE ("true" for implicit TLS),
 * MAIL_FROM, APP_URL, PORT, HOST (127.0.0.1; 0.0.0.0 in a container); MAIL_PROVIDER=postmark with POSTMARK_API_URL and
 * POSTMARK_SERVER_TOKEN sends through Postmark's API instead; DKIM_DOMAIN, DKIM_SELECTOR and
 * DKIM_PRIVATE_KEY_FILE turn on DKIM signing.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const provider = env.MAIL_PROVIDER?.trim().toLowerCase() || "smtp";
  let transport: MailTransportConfig;
  if (provider === "smtp") {
    transport = {
      kind: "smtp",
      host: required(env, "SMTP_HOST"),
      port: port(env, "SMTP_PORT", 587),
      user: env.SMTP_USER?.trim() || null,
      password: env.SMTP_PASSWORD ?? null,
      secure: env.SMTP_SECURE === "true",
    };
  } else if (provider === "postmark") {
    transport = {
      kind: "postmark",
      apiUrl: required(env, "POSTMARK_API_URL"),
      serverToken: required(env, "POSTMARK_SERVER_TOKEN"),
    };
  } else {
    throw new Error(`MAIL_PROVIDER must be "smtp" or "postmark", not "${provider}"`);
  }
  const dkimKeyFile = env.DKIM_PRIVATE_KEY_FILE?.trim();
  return {
    port: port(env, "PORT", 3000),
    host: env.HOST?.trim() || "127.0.0.1",
    appUrl: env.APP_URL?.trim().replace(/\/+$/, "") || null,
    mailFrom: required(env, "MAIL_FROM"),
    transport,
    dkim: dkimKeyFile
      ? {
          domainName: required(env, "DKIM_DOMAIN"),
          keySelector: required(env, "DKIM_SELECTOR"),
          privateKey: readFileSync(dkimKeyFile, "utf8"),
        }
      : null,
  };
}
