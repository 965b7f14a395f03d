import { MailproofError } from "../core/errors.js";

/** Where released mail goes: `--relay smtp://[user:pass@]host:port[?tls=verify]` or `smtps://…`. */
export interface RelayTarget {
  host: string;
  port: number;
  /** Implicit TLS (`smtps://`). */
  secure: boolean;
  /** Verify the server's certificate: always for `smtps://`, with `?tls=verify` for STARTTLS. */
  verifyTls: boolean;
  auth: { user: string; pass: string } | null;
  /** The URL without its password, for logs and errors. */
  display: string;
}

export function parseRelayTarget(value: string): RelayTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MailproofError(
      "CONFIG_INVALID",
      `--relay must be smtp://[user:pass@]host:port or smtps://…, not "${value}"`,
    );
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new MailproofError(
      "CONFIG_INVALID",
      `--relay must start with smtp:// or smtps://, not "${url.protocol}//"`,
    );
  }
  const secure = url.protocol === "smtps:";
  const tls = url.searchParams.get("tls");
  if (tls !== null && tls !== "verify")
    throw new MailproofError("CONFIG_INVALID", `--relay: ?tls= takes only "verify", not "${tls}"`);
  if (!url.hostname) throw new MailproofError("CONFIG_INVALID", `--relay needs a host: "${value}"`);
  const user = decodeURIComponent(url.username);
  const auth = user ? { user, pass: decodeURIComponent(url.password) } : null;
  const port = url.port ? Number(url.port) : secure ? 465 : 25;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port,
    secure,
    // STARTTLS is taken when offered but, as MTAs do opportunistically, not verified unless asked.
    verifyTls: secure || tls === "verify",
    auth,
    display: `${url.protocol}//${auth ? `${encodeURIComponent(auth.user)}@` : ""}${url.host}`,
  };
}
