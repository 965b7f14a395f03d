import type net from "node:net";
import tls from "node:tls";
import type { Logger } from "pino";
import type { SMTPConnection } from "smtp-server/lib/smtp-connection.js";
import type { FaultEngine, TlsFault, TlsVersion } from "../faults/index.js";
import type { TranscriptRecorder } from "../transcripts/recorder.js";
import type { TestCertificateSource, TestCertificates } from "./test-certificates.js";
import type { TlsMaterial } from "./tls.js";

interface TlsFaultDeps {
  faults: FaultEngine;
  recorder: TranscriptRecorder;
  logger: Logger;
  certificates: TestCertificateSource;
  /** The sandbox's own certificate: a `versions`-only rule presents it with fewer protocol versions. */
  material: TlsMaterial;
  /** Runs `upgrade` with `context` as the server's default secure context (PromptSMTPServer.presenting). */
  presenting(context: tls.SecureContext, upgrade: () => void): void;
}

interface TlsFaults {
  /** Plain listener: decides the connection's `tls` rule and applies its STARTTLS behaviour and certificate. */
  applyTo(connection: SMTPConnection): void;
  /** Implicit TLS listener: the secure context the handshake must present instead of the default, or null. */
  contextFor(socket: net.Socket): Promise<tls.SecureContext> | null;
}

const COMMANDS_BEHIND_TLS = new Set(["MAIL", "RCPT", "DATA", "AUTH", "BDAT"]);
const VERSION_ORDER: readonly TlsVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/**
 * TLS fault rules (stage `tls`), decided once per connection by the fault engine, so `times`
 * and `probability` count connections. smtp-server builds the TLS socket from its default
 * secure context at the moment of the upgrade (SNI never runs for a client that connects to an
 * IP), so a certificate or version fault swaps that context for the one upgrade.
 */
export function createTlsFaults(deps: TlsFaultDeps): TlsFaults {
  const contexts = new Map<string, Promise<tls.SecureContext>>();

  const secureContext = (fault: TlsFault): Promise<tls.SecureContext> | null => {
    if (!fault.certificate && !fault.versions) return null;
    const key = JSON.stringify([fault.certificate ?? null, fault.versions ?? null]);
    let context = contexts.get(key);
    if (!context) {
      context = buildContext(fault, deps);
      contexts.set(key, context);
      context.catch(() => contexts.delete(key));
    }
    return context;
  };

  const decide = (remoteAddress: string, connectionId: string | null): TlsFault | null => {
    const action = deps.faults.check("tls", { remoteAddress, from: null, to: [], user: null });
    const fault = action?.rule.tls;
    if (!action || !fault) return null;
    let transcript: string | null = null;
    if (connectionId) {
      transcript = deps.recorder.fault(connectionId, {
        stage: "tls",
        rule: action.index,
        reply: null,
        delayMs: 0,
        disconnect: false,
      });
      deps.recorder.line(connectionId, "mailproof", `TLS fault: ${describe(fault)}`);
    }
    deps.logger.info(
      {
        session: connectionId,
        transcript,
        stage: "tls",
        rule: action.index,
        tls: fault,
        client: remoteAddress,
      },
      "smtp fault rule fired",
    );
    return fault;
  };

  return {
    applyTo(connection) {
      const fault = decide(connection.remoteAddress, connection.id);
      if (!fault) return;
      const isSupported = connection._isSupported.bind(connection);
      const getHandler = connection._getHandler.bind(connection);
      const handle =
        (handler: (callback: () => void) => void) => (_command: Buffer, callback: () => void) =>
          handler(callback);

      if (fault.starttls === "absent")
        connection._isSupported = (command) =>
          command.trim().toUpperCase() !== "STARTTLS" && isSupported(command);
      connection._getHandler = (command) => {
        if (command === "STARTTLS" && fault.starttls === "refuse") {
          // RFC 3207 §4: 454 when TLS is temporarily unavailable.
          return handle((callback) => {
            connection.send(454, "4.7.0 TLS not available due to temporary reason");
            callback();
          });
        }
        if (
          COMMANDS_BEHIND_TLS.has(command) &&
          fault.starttls === "require" &&
          !connection.secure
        ) {
          // RFC 3207 §4: 530 to any other command before STARTTLS when the policy requires it.
          return handle((callback) => {
            connection.send(530, "5.7.0 Must issue a STARTTLS command first");
            callback();
          });
        }
        const original = getHandler(command);
        const pending = command === "STARTTLS" && original ? secureContext(fault) : null;
        if (!original || !pending) return original;
        return (starttls, callback) => {
          pending.then(
            (context) =>
              deps.presenting(context, () => original.call(connection, starttls, callback)),
            (err: unknown) => {
              deps.logger.error(
                { err, session: connection.id },
                "could not build the TLS fault's certificate; STARTTLS refused",
              );
              connection.send(454, "4.7.0 TLS not available due to temporary reason");
              callback();
            },
          );
        };
      };
    },
    contextFor(socket) {
      const fault = decide(socket.remoteAddress ?? "", null);
      return fault ? secureContext(fault) : null;
    },
  };
}

async function buildContext(fault: TlsFault, deps: TlsFaultDeps): Promise<tls.SecureContext> {
  const material = fault.certificate
    ? pick(await deps.certificates.get(), fault.certificate)
    : deps.material;
  const versions = fault.versions
    ? [...fault.versions].sort((a, b) => VERSION_ORDER.indexOf(a) - VERSION_ORDER.indexOf(b))
    : null;
  const oldest = versions?.[0];
  return tls.createSecureContext({
    key: material.key,
    cert: material.cert,
    ...(versions ? { minVersion: oldest, maxVersion: versions[versions.length - 1] } : {}),
    // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; an old-versions fault exists to test exactly those.
    ...(oldest === "TLSv1" || oldest === "TLSv1.1" ? { ciphers: "DEFAULT@SECLEVEL=0" } : {}),
  });
}

function pick(
  certificates: TestCertificates,
  kind: NonNullable<TlsFault["certificate"]>,
): TlsMaterial {
  if (kind === "expired") return certificates.expired;
  if (kind === "wrong-name") return certificates.wrongName;
  return certificates.untrusted;
}

function describe(fault: TlsFault): string {
  const parts = [];
  if (fault.certificate) parts.push(`certificate ${fault.certificate}`);
  if (fault.starttls) parts.push(`STARTTLS ${fault.starttls}`);
  if (fault.versions) parts.push(`versions ${fault.versions.join(", ")}`);
  return parts.join("; ");
}
