import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import tls, { type TLSSocket } from "node:tls";
import SMTPConnection from "nodemailer/lib/smtp-connection/index.js";
import { sessionStartFailure } from "./session-start.js";
import { result, type SmtpTarget, type StageResult } from "./types.js";

export interface SmtpProbe {
  tls: StageResult;
  auth: StageResult;
  send: StageResult;
  /** Set when the server greets as mailproof: the sent message can be looked up. */
  mailproof: boolean;
  sentMessageId: string | null;
}

type SmtpError = Error & { code?: string; responseCode?: number; response?: string; command?: string };

/** Records the server's replies (nodemailer's debug log, "server" transactions). */
function transcriptLogger(lines: string[]) {
  const log = (entry: unknown, message?: string, ...args: unknown[]) => {
    if (typeof entry !== "object" || entry === null || !message) return;
    const tnx = (entry as { tnx?: string }).tnx;
    if (tnx !== "server" && tnx !== "client") return;
    let i = 0;
    const text = message.replace(/%s/g, () => String(args[i++] ?? ""));
    for (const line of text.split(/\r?\n/)) if (line) lines.push(`${tnx === "server" ? "S" : "C"}: ${line}`);
  };
  return { trace: log, debug: log, info: log, warn: log, error: log, fatal: log, level: () => undefined };
}

function certificateStage(socket: TLSSocket | undefined, host: string, implicit: boolean): StageResult {
  if (!socket || typeof socket.getPeerCertificate !== "function") {
    return result("tls", "warn", "the server offers no TLS: credentials and mail travel in clear text", {
      causes: ["STARTTLS is not offered on this port"],
      next: ["use the provider's TLS port (587 with STARTTLS, or 465 with SMTP_SECURE=true)"],
    });
  }
  const cert = socket.getPeerCertificate();
  const daysLeft = Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000);
  const evidence = [
    `${implicit ? "implicit TLS" : "STARTTLS"}, ${socket.getProtocol()}, ${socket.getCipher().name}`,
    `certificate for ${cert.subject?.CN ?? "?"}${cert.subjectaltname ? ` (${cert.subjectaltname})` : ""}, issued by ${cert.issuer?.CN ?? cert.issuer?.O ?? "?"}`,
    `valid until ${cert.valid_to} (${daysLeft} days)`,
  ];
  const nameError = tls.checkServerIdentity(host, cert);
  if (daysLeft < 0) return result("tls", "fail", `the certificate expired ${-daysLeft} days ago`, { evidence, causes: ["an expired certificate: clients that verify refuse the connection"], next: ["renew the server's certificate"] });
  if (nameError) return result("tls", "fail", `the certificate does not match ${host}: ${nameError.message}`, { evidence, causes: ["SMTP_HOST differs from the name on the certificate (an IP address or an internal alias)"], next: ["use the host name the certificate names"] });
  if (!socket.authorized) {
    return result("tls", "warn", `the certificate does not verify: ${socket.authorizationError}`, {
      evidence,
      causes: ["a self-signed certificate (normal for a local sandbox, not for production)"],
      next: ["in production, use a certificate from a public CA"],
    });
  }
  if (daysLeft < 14) return result("tls", "warn", `the certificate expires in ${daysLeft} days`, { evidence });
  return result("tls", "pass", `TLS ok, certificate valid for ${daysLeft} more days`, { evidence });
}

function authFailure(err: SmtpError, evidence: string[]): StageResult {
  const code = err.responseCode ?? 0;
  if (code === 535) {
    return result("auth", "fail", "the server rejected the credentials (535)", {
      evidence,
      causes: ["wrong SMTP_USER or SMTP_PASSWORD", "an API key used as password was revoked or lacks the SMTP scope", "the worker runs with other credentials than the web process"],
      next: ["check SMTP_USER/SMTP_PASSWORD against the provider's SMTP credentials page"],
    });
  }
  if (code === 538 || code === 530 || /TLS|encrypt/i.test(err.response ?? "")) {
    return result("auth", "fail", `the server requires TLS before AUTH (${code || err.code})`, {
      evidence,
      causes: ["the client authenticates on a plain connection (SMTP_SECURE=false and STARTTLS skipped)"],
      next: ["use STARTTLS on 587, or SMTP_SECURE=true on 465"],
    });
  }
  return result("auth", "fail", `AUTH failed: ${err.response ?? err.message}`, { evidence, causes: [err.message] });
}

function sendFailure(err: SmtpError, evidence: string[]): StageResult {
  const code = err.responseCode ?? 0;
  const at = err.command ?? "";
  const reply = err.response ?? err.message;
  const temporary = code >= 400 && code < 500;
  let causes: string[];
  let next: string[];
  if (code === 530) {
    causes = ["the server requires authentication"];
    next = ["set SMTP_USER and SMTP_PASSWORD"];
  } else if (/MAIL/i.test(at)) {
    causes = temporary ? ["the server is busy or rate limiting"] : ["the sender is not allowed for this account: an unverified sender or domain", "MAIL_FROM's domain is blocked"];
    next = temporary ? ["retry with backoff; check the provider's rate limits"] : ["verify MAIL_FROM (or its domain) with the provider"];
  } else if (/RCPT/i.test(at)) {
    causes = temporary
      ? ["greylisting or a rate limit: the server wants a retry later"]
      : ["the recipient is suppressed (an earlier bounce or complaint)", "the recipient does not exist", "sandbox mode: only verified recipients are allowed"];
    next = temporary ? ["make sure the app retries 4xx replies with backoff"] : ["check the provider's suppression list and sandbox status; try another TEST_EMAIL"];
  } else {
    causes = code === 552 ? ["the message is larger than the server accepts"] : temporary ? ["a temporary failure after DATA"] : ["the content was refused (spam or policy filter)"];
    next = temporary ? ["retry with backoff"] : ["read the reply text; check the message content"];
  }
  return result("send", "fail", `${at || "the transaction"} was refused: ${reply}`, { evidence, causes, next });
}

function testMessage(from: string, to: string, messageId: string): string {
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: mailproof doctor test ${new Date().toISOString()}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "This is a test message sent by `mailproof doctor` to check that mail can be delivered.",
    "",
  ].join("\r\n");
}

/** Stages 4–6 over one SMTP session: TLS, AUTH, then a real test send. */
export async function probeSmtp(target: SmtpTarget, timeoutMs: number): Promise<SmtpProbe> {
  const lines: string[] = [];
  const skipped = (stage: string, why: string) => result(stage, "skipped", why);
  const connection = new SMTPConnection({
    host: target.host,
    port: target.port,
    secure: target.secure,
    name: "mailproof-doctor",
    // SNI takes host names only (RFC 6066 §3), never an IP literal.
    tls: { rejectUnauthorized: false, ...(isIP(target.host) ? {} : { servername: target.host }) },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: transcriptLogger(lines) as never,
    debug: true,
  });
  const probe: SmtpProbe = { tls: skipped("tls", "not reached"), auth: skipped("auth", "not reached"), send: skipped("send", "not reached"), mailproof: false, sentMessageId: null };
  const run = <T>(fn: (cb: (err: SmtpError | null, value?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
  connection.on("error", () => undefined); // surfaced through the callbacks below

  try {
    try {
      // nodemailer reports a failed greeting or STARTTLS as an "error" event, not to connect()'s callback.
      await new Promise<void>((resolve, reject) => {
        connection.once("error", reject);
        connection.connect((err?: Error) => (err ? reject(err) : resolve()));
      });
    } catch (err) {
      probe.tls = sessionStartFailure(err as SmtpError, lines);
      return probe;
    }
    probe.mailproof = lines.some((l) => /^S: 220 .*mailproof/i.test(l));
    probe.tls = certificateStage(connection.secure ? (connection as unknown as { _socket: TLSSocket })._socket : undefined, target.host, target.secure);

    const mechanisms = (connection as unknown as { _supportedAuth: string[] })._supportedAuth;
    if (target.user) {
      try {
        await run<void>((cb) => connection.login({ user: target.user!, pass: target.pass ?? "" }, cb as () => void));
        probe.auth = result("auth", "pass", `logged in as ${target.user}`, { evidence: [`mechanisms offered: ${mechanisms.join(" ") || "none"}`] });
      } catch (err) {
        probe.auth = authFailure(err as SmtpError, [`mechanisms offered: ${mechanisms.join(" ") || "none"}`, ...lines.slice(-3)]);
        return probe;
      }
    } else {
      probe.auth = result("auth", "skipped", `SMTP_USER is not set; mechanisms offered: ${mechanisms.join(" ") || "none"}`);
    }

    if (!target.to) {
      probe.send = result("send", "skipped", "no recipient: set TEST_EMAIL or pass --to");
      return probe;
    }
    const messageId = `doctor-${randomUUID()}@${target.from.split("@")[1] ?? "localhost"}`;
    const before = lines.length;
    try {
      const info = await run<{ response: string }>((cb) => connection.send({ from: target.from, to: [target.to!] }, testMessage(target.from, target.to!, messageId), cb as never));
      probe.sentMessageId = messageId;
      probe.send = result("send", "pass", `accepted: ${info.response}`, { evidence: lines.slice(before).filter((l) => l.startsWith("S:")) });
    } catch (err) {
      probe.send = sendFailure(err as SmtpError, lines.slice(before).filter((l) => l.startsWith("S:")));
      if ((err as SmtpError).responseCode === 530 && !target.user) probe.auth = result("auth", "fail", "the server requires AUTH but SMTP_USER is not set", { causes: ["missing credentials"], next: ["set SMTP_USER and SMTP_PASSWORD"] });
    }
    return probe;
  } finally {
    connection.quit();
    connection.close();
  }
}
