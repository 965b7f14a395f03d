import tls, { type TLSSocket } from "node:tls";
import { failure, result, type StageResult } from "./types.js";

export type SmtpError = Error & {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
};

/** A 530 that names TLS: the server wants STARTTLS first (RFC 3207 §4). */
export const wantsStarttls = (err: SmtpError) =>
  (err.responseCode === 530 || err.responseCode === 538) &&
  /STARTTLS|TLS|encrypt/i.test(err.response ?? "");

export function starttlsRequired(
  err: SmtpError,
  offered: boolean,
  evidence: string[],
): StageResult {
  return failure(
    "tls",
    "tls.starttls-required",
    `the server demands STARTTLS (${err.response ?? err.responseCode})${offered ? "" : " but does not offer it in its EHLO reply"}`,
    {
      evidence,
      causes: offered
        ? ["the client skipped STARTTLS (ignoreTLS, or a plain-text library setting)"]
        : [
            "a proxy or load balancer strips STARTTLS from the EHLO reply",
            "the server's TLS certificate is not configured, so it stopped advertising STARTTLS",
          ],
      next: offered
        ? ["let the client use STARTTLS (requireTLS: true in nodemailer)"]
        : [
            "fix the server's TLS setup so EHLO lists STARTTLS, or use its implicit-TLS port (465) with SMTP_SECURE=true",
          ],
    },
  );
}

/**
 * The certificate as a verifying client would judge it. A mailproof sandbox's self-signed
 * certificate is expected; anywhere else an unverifiable certificate fails, because clients that
 * verify (nodemailer's default) refuse it.
 */
export function certificateStage(
  socket: TLSSocket,
  host: string,
  implicit: boolean,
  sandbox: boolean,
): StageResult {
  const cert = socket.getPeerCertificate();
  const daysLeft = Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000);
  const evidence = [
    `${implicit ? "implicit TLS" : "STARTTLS"}, ${socket.getProtocol()}, ${socket.getCipher().name}`,
    // A name field repeated in the certificate is an array; String() lists it as the template did.
    `certificate for ${String(cert.subject?.CN ?? "?")}${cert.subjectaltname ? ` (${cert.subjectaltname})` : ""}, issued by ${String(cert.issuer?.CN ?? cert.issuer?.O ?? "?")}`,
    `valid from ${cert.valid_from} until ${cert.valid_to} (${daysLeft} days left)`,
  ];
  if (daysLeft < 0) {
    const daysAgo = Math.floor((Date.now() - Date.parse(cert.valid_to)) / 86_400_000);
    return failure(
      "tls",
      "tls.cert-expired",
      `the server's certificate expired ${daysAgo === 0 ? "today" : `${daysAgo} days ago`} (${cert.valid_to})`,
      {
        evidence,
        causes: ["certificate renewal failed or the server was not reloaded after it"],
        next: [
          "renew the certificate (certbot renew, or your provider's console) and reload the mail server",
        ],
      },
    );
  }
  const nameError = tls.checkServerIdentity(host, cert);
  if (nameError) {
    return failure(
      "tls",
      "tls.cert-name-mismatch",
      `the certificate does not name ${host}: ${nameError.message}`,
      {
        evidence,
        causes: ["SMTP_HOST is an IP address or an alias, not the name on the certificate"],
        next: [
          `set SMTP_HOST to a name the certificate lists (${String(cert.subjectaltname ?? cert.subject?.CN ?? "see evidence")})`,
        ],
      },
    );
  }
  if (!socket.authorized) {
    if (sandbox)
      return result(
        "tls",
        "pass",
        "TLS ok (the sandbox's self-signed certificate, expected locally)",
        { evidence: [...evidence, `not verifiable: ${socket.authorizationError}`] },
      );
    return failure(
      "tls",
      "tls.cert-untrusted",
      `the certificate does not verify: ${socket.authorizationError}`,
      {
        evidence,
        causes: [
          "a self-signed certificate or one from a private CA, or a missing intermediate certificate",
        ],
        next: [
          "use a certificate from a public CA with its full chain; for a private CA, give the app its CA (NODE_EXTRA_CA_CERTS)",
        ],
      },
    );
  }
  if (daysLeft < 14)
    return result("tls", "warn", `the certificate expires in ${daysLeft} days`, {
      evidence,
      code: "tls.cert-expiring",
    });
  return result("tls", "pass", `TLS ok, certificate valid for ${daysLeft} more days`, { evidence });
}

export function authFailure(err: SmtpError, evidence: string[]): StageResult {
  const code = err.responseCode ?? 0;
  if (code === 535) {
    return failure("auth", "auth.rejected", "the server rejected the credentials (535)", {
      evidence,
      causes: [
        "wrong SMTP_USER or SMTP_PASSWORD",
        "an API key used as password was revoked or lacks the SMTP scope",
        "the worker runs with other credentials than the web process",
      ],
      next: ["check SMTP_USER/SMTP_PASSWORD against the provider's SMTP credentials page"],
    });
  }
  if (code === 538 || wantsStarttls(err)) {
    return failure(
      "auth",
      "auth.tls-required",
      `the server requires TLS before AUTH (${err.response ?? code})`,
      {
        evidence,
        causes: [
          "the client authenticates on a plain connection (SMTP_SECURE=false and STARTTLS skipped)",
        ],
        next: ["use STARTTLS on 587, or SMTP_SECURE=true on 465"],
      },
    );
  }
  if (err.code === "EAUTH" && /mechanism/i.test(err.message)) {
    return failure("auth", "auth.no-mechanism", `no usable AUTH mechanism: ${err.message}`, {
      evidence,
      next: ["check that the server enables AUTH on this port (often only after STARTTLS)"],
    });
  }
  return failure("auth", "auth.failed", `AUTH failed: ${err.response ?? err.message}`, {
    evidence,
    causes: [err.message],
    next: ["read the server's reply above"],
  });
}

export function sendFailure(err: SmtpError, evidence: string[]): StageResult {
  const code = err.responseCode ?? 0;
  const at = err.command ?? "";
  const reply = err.response ?? err.message;
  const temporary = code >= 400 && code < 500;
  const summary = `${at || "the transaction"} was refused: ${reply}`;
  if (code === 530)
    return failure("send", "auth.required", summary, {
      evidence,
      causes: ["the server requires authentication"],
      next: ["set SMTP_USER and SMTP_PASSWORD"],
    });
  if (temporary) {
    return failure("send", "send.temporary", summary, {
      evidence,
      causes: [
        /RCPT/i.test(at)
          ? "greylisting or a rate limit: the server wants a retry later"
          : "the server is busy or rate limiting",
      ],
      next: [
        "make sure the app retries 4xx replies with backoff; check the provider's rate limits",
      ],
    });
  }
  if (/MAIL/i.test(at)) {
    return failure("send", "send.sender-refused", summary, {
      evidence,
      causes: [
        "the sender is not allowed for this account: an unverified sender or domain",
        "MAIL_FROM's domain is blocked",
      ],
      next: ["verify MAIL_FROM (or its domain) with the provider"],
    });
  }
  if (/RCPT/i.test(at)) {
    return failure("send", "send.recipient-refused", summary, {
      evidence,
      causes: [
        "the recipient is suppressed (an earlier bounce or complaint)",
        "the recipient does not exist",
        "sandbox mode: only verified recipients are allowed",
      ],
      next: ["check the provider's suppression list and sandbox status; try another TEST_EMAIL"],
    });
  }
  return failure("send", code === 552 ? "send.too-large" : "send.content-refused", summary, {
    evidence,
    causes: [
      code === 552
        ? "the message is larger than the server accepts"
        : "the content was refused (spam or policy filter)",
    ],
    next: ["read the reply text; check the message content"],
  });
}
