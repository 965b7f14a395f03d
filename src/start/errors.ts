import { createPrivateKey, X509Certificate } from "node:crypto";
import { dirname } from "node:path";
import { createSecureContext } from "node:tls";
import { MailproofError } from "../core/errors.js";

/**
 * Start-up failures a person can act on: each says what failed, why, and which option to change.
 * The original error stays attached as `cause`.
 */

type Listener = "smtp" | "smtps" | "http" | "imap";

const FLAG: Record<Listener, string> = {
  smtp: "--smtp-port",
  smtps: "--smtps-port",
  http: "--http-port",
  imap: "--imap-port",
};

/** Mailpit and MailHog listen on the same ports by default, so one of them is the usual culprit. */
const SHARED_DEFAULTS: Record<number, string> = {
  1025: "1025 is also Mailpit's and MailHog's SMTP port",
  8025: "8025 is also Mailpit's and MailHog's HTTP port",
};

export function listenError(err: unknown, listener: Listener, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${listener} cannot listen on ${host.includes(":") ? `[${host}]` : host}:${port}`;
  const change = `choose another port with ${FLAG[listener]} (0 picks a free one)`;
  if (code === "EADDRINUSE") {
    const shared = SHARED_DEFAULTS[port]
      ? ` (${SHARED_DEFAULTS[port]}: is one of them, or another mailproof, running?)`
      : "";
    return new MailproofError("START_FAILED", `${where}: the port is in use${shared}; ${change}`, {
      cause: err,
    });
  }
  if (code === "EACCES")
    return new MailproofError(
      "START_FAILED",
      `${where}: permission denied (ports below 1024 need privileges); ${change}`,
      { cause: err },
    );
  if (code === "EADDRNOTAVAIL")
    return new MailproofError(
      "START_FAILED",
      `${where}: no such address on this machine; check --host`,
      { cause: err },
    );
  return err;
}

/** better-sqlite3's errors for a --db it cannot use. PostgreSQL's are clear already. */
export function storeError(err: unknown, db: string | null): unknown {
  if (db === null || /^postgres(ql)?:\/\//.test(db)) return err;
  const code = (err as { code?: string }).code;
  const message = (err as Error).message ?? "";
  const fail = (problem: string) =>
    new MailproofError("START_FAILED", `--db ${db}: ${problem}`, { cause: err });
  if (/directory does not exist/.test(message))
    return fail(
      `the directory ${dirname(db)} does not exist; create it (mkdir -p ${dirname(db)}) or choose another path`,
    );
  if (code === "SQLITE_NOTADB")
    return fail(
      "the file is not a SQLite database; point --db at a new file, or at one mailproof wrote",
    );
  if (
    code === "SQLITE_CANTOPEN" ||
    code === "SQLITE_READONLY" ||
    code === "SQLITE_PERM" ||
    code === "EACCES"
  ) {
    return fail(
      `cannot open it for writing; check that the file and its directory ${dirname(db)} are writable (SQLite also writes -wal and -shm files beside it)`,
    );
  }
  if (code === "SQLITE_CORRUPT")
    return fail("the database file is corrupt; move it away and start again");
  return err;
}

/**
 * A certificate and key that do not load would only fail at the first STARTTLS, as a TLS
 * error the mail client reports; checked here they fail the start instead.
 */
export function checkTlsPair(cert: string | null, key: string | null): void {
  if (cert === null && key === null) return;
  const fail = (problem: string, err?: unknown): never => {
    throw new MailproofError("CONFIG_INVALID", `--tls-cert/--tls-key: ${problem}`, { cause: err });
  };
  if (cert === null || key === null) fail("give both, or neither for a generated self-signed pair");
  try {
    new X509Certificate(cert as string);
  } catch (err) {
    fail("the certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)", err);
  }
  try {
    createPrivateKey(key as string);
  } catch (err) {
    fail("the key is not a PEM private key (-----BEGIN PRIVATE KEY-----), or it is encrypted", err);
  }
  try {
    createSecureContext({ cert: cert as string, key: key as string });
  } catch (err) {
    fail(
      `the key does not belong to the certificate (${(err as Error).message.replace(/^error:\w+:/, "")})`,
      err,
    );
  }
}
