import { result, type StageResult } from "./types.js";

type SmtpError = Error & {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
};

/**
 * Names why an SMTP session ended before it was ready for AUTH or MAIL: refused at the greeting,
 * STARTTLS refused or missing, no TLS version in common, or implicit TLS against a plain port.
 */
export function sessionStartFailure(err: SmtpError, evidence: string[]): StageResult {
  const reply = err.response ?? "";
  if (err.code === "EPROTOCOL" && err.responseCode && /^[45]/.test(reply)) {
    // RFC 5321 §3.1: a server that will not serve the client says so in place of the 220 greeting.
    return result("tls", "fail", `the server refused the session at the greeting: ${reply}`, {
      evidence,
      causes:
        err.responseCode === 421
          ? ["the server is overloaded, shutting down, or limiting connections from this client"]
          : ["the server does not accept mail from this client"],
      next: [
        "retry later with backoff; check the server's connection limits and this client's reputation",
      ],
    });
  }
  if (err.code === "ETLS" && err.responseCode) {
    const refused = err.responseCode === 454;
    return result(
      "tls",
      "fail",
      refused ? `the server refused STARTTLS: ${reply}` : `STARTTLS failed: ${reply}`,
      {
        evidence,
        causes: refused
          ? ["the server's TLS is temporarily unavailable (RFC 3207 §4: 454)"]
          : ["the server does not offer STARTTLS, and the client requires it (requireTLS)"],
        next: refused
          ? ["retry later; the client must not fall back to plain text for credentials"]
          : [
              "use the provider's TLS port (465 with SMTP_SECURE=true), or check that this is the right server",
            ],
      },
    );
  }
  if (
    /protocol version|unsupported protocol|no protocols available|wrong version number/i.test(
      err.message,
    )
  ) {
    return result("tls", "fail", "no TLS version in common with the server", {
      evidence: [...evidence, err.message.trim()],
      causes: [
        "the server only speaks TLS versions this client refuses (TLS 1.0/1.1), or the client insists on a version the server lacks",
      ],
      next: ["upgrade the server's TLS configuration to TLS 1.2 or 1.3"],
    });
  }
  const implicitMismatch =
    err.code === "ETIMEDOUT" || err.code === "ESOCKET" || err.code === "EPROTOCOL";
  return result("tls", "fail", `the SMTP session could not start: ${err.message}`, {
    evidence,
    causes: implicitMismatch
      ? [
          "implicit TLS vs STARTTLS mismatch: SMTP_SECURE=true needs a TLS port (465), false needs a plain/STARTTLS port (25/587)",
          "the service on this port is not SMTP",
        ]
      : [err.message],
    next: ["match SMTP_SECURE to the port"],
  });
}
