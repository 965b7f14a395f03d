import net from "node:net";
import tls from "node:tls";
import type { SmtpError } from "./smtp-replies.js";
import { failure, type SmtpTarget, type StageResult } from "./types.js";

/** The first line a plain connection receives, or null when the server stays silent. */
function firstPlainLine(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffered = "";
    const done = (line: string | null) => {
      socket.destroy();
      resolve(line);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      if (buffered.includes("\n")) done(buffered.split(/\r?\n/)[0]);
    });
    socket.once("error", () => done(null));
    socket.once("close", () => done(buffered || null));
  });
}

/** Whether the port completes a TLS handshake straight away (implicit TLS, RFC 8314 §3.3). */
function speaksImplicitTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      ...(net.isIP(host) ? {} : { servername: host }),
    });
    const done = (yes: boolean) => {
      socket.destroy();
      resolve(yes);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("secureConnect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const modeMismatch = (summary: string, next: string, evidence: string[]) =>
  failure("tls", "tls.mode-mismatch", summary, {
    evidence,
    causes: [
      "SMTP_SECURE (nodemailer `secure`, Laravel MAIL_ENCRYPTION, Django EMAIL_USE_SSL) does not match the port: 465 is implicit TLS, 587 and 25 are plain SMTP upgraded with STARTTLS",
    ],
    next: [next],
  });

const silent = (target: SmtpTarget, timeoutMs: number, evidence: string[]) =>
  failure(
    "connect",
    "smtp.greeting-timeout",
    `${target.host}:${target.port} accepted the connection but sent no SMTP greeting within ${timeoutMs} ms`,
    {
      evidence,
      causes: [
        "the service on this port is not an SMTP server, or it is overloaded or hung",
        "a proxy or firewall accepts the connection and drops the traffic",
      ],
      next: [
        `check the server's logs; test with: nc -v ${target.host} ${target.port} (an SMTP server says "220 …" first)`,
      ],
    },
  );

/**
 * Names why an SMTP session could not be set up. A TLS failure or a missing greeting is
 * probed once more the other way round, so a mode mismatch is told apart from a silent server.
 */
export async function classifySessionError(
  err: SmtpError,
  target: SmtpTarget,
  transcript: string[],
  timeoutMs: number,
): Promise<StageResult> {
  const where = `${target.host}:${target.port}`;
  const firstLine = err.message.split("\n")[0].trim();
  const evidence = [`${err.code ?? "error"}: ${firstLine}`, ...transcript.slice(-4)];
  const greeting = transcript.find((l) => l.startsWith("S: "));
  if (err.code === "EPROTOCOL" && err.command === "CONN" && err.responseCode) {
    const code = err.responseCode;
    return failure(
      "connect",
      "smtp.greeting-rejected",
      `the server refused the session in its greeting: ${err.response}`,
      {
        evidence,
        causes:
          code === 421
            ? [
                "the server is shutting down, overloaded or limits connections per client (421: try again later)",
              ]
            : [
                "the server refuses mail from this client: its IP is on a block list or not allowed to relay",
                "no SMTP service is offered here (554)",
              ],
        next:
          code === 421
            ? [
                "retry later; check the server's connection limits and whether the app opens too many connections (pool it)",
              ]
            : [
                "read the greeting text; check block lists for your outbound IP, or the server's access rules",
              ],
      },
    );
  }
  const probeMs = Math.min(timeoutMs, 3000);
  if (target.secure && !greeting && err.code !== "ECONNECTION") {
    const line = await firstPlainLine(target.host, target.port, probeMs);
    if (line && /^220[ -]/.test(line)) {
      return modeMismatch(
        `port ${target.port} speaks plain SMTP first (STARTTLS), but SMTP_SECURE=true starts a TLS handshake there`,
        `set SMTP_SECURE=false for port ${target.port} (STARTTLS is then used), or use port 465 with SMTP_SECURE=true`,
        [...evidence, `plain connection to ${where} greets: ${line}`],
      );
    }
    if (line === null && err.code === "ETIMEDOUT") return silent(target, timeoutMs, evidence);
  }
  if (!target.secure && !greeting && err.code === "ETIMEDOUT") {
    if (await speaksImplicitTls(target.host, target.port, probeMs)) {
      return modeMismatch(
        `port ${target.port} expects implicit TLS (like 465), but SMTP_SECURE=false waits for a plain greeting`,
        `set SMTP_SECURE=true for port ${target.port}, or use the STARTTLS port (587) with SMTP_SECURE=false`,
        [...evidence, `a TLS handshake with ${where} succeeds`],
      );
    }
    return silent(target, timeoutMs, evidence);
  }
  if (err.code === "ETLS" && err.command === "STARTTLS" && err.responseCode === 454) {
    // RFC 3207 §4: 454 means TLS is temporarily unavailable; the client must not go on in clear text.
    return failure(
      "tls",
      "tls.starttls-refused",
      `the server offers STARTTLS but refused it: ${err.response}`,
      {
        evidence,
        causes: [
          "the server's TLS setup is temporarily broken (its certificate or key cannot be loaded)",
          "the server is overloaded and sheds TLS handshakes",
        ],
        next: [
          "retry later; check the server's TLS certificate and its logs. Do not let the app fall back to plain text (opportunisticTLS) with credentials",
        ],
      },
    );
  }
  if (err.code === "ETLS" || /SSL|TLS|certificate|handshake/i.test(err.message)) {
    return failure(
      "tls",
      "tls.handshake-failed",
      `the TLS handshake with ${where} failed: ${firstLine}`,
      {
        evidence,
        causes: [
          "the server and client share no TLS version or cipher",
          "the server's TLS setup is broken",
        ],
        next: [
          `inspect with: openssl s_client -connect ${where}${target.secure ? "" : " -starttls smtp"}`,
        ],
      },
    );
  }
  if (err.code === "ETIMEDOUT") {
    return failure(
      "connect",
      "smtp.timeout",
      `the SMTP session with ${where} timed out: ${firstLine}`,
      {
        evidence,
        causes: ["the server stopped answering mid-session"],
        next: ["check the server's load and logs"],
      },
    );
  }
  return failure(
    "connect",
    "smtp.session-failed",
    `the SMTP session with ${where} failed: ${firstLine}`,
    { evidence, causes: [firstLine], next: ["read the transcript above; check the server's logs"] },
  );
}
