import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import SMTPConnection from "nodemailer/lib/smtp-connection/index.js";
import { classifySessionError } from "./session-errors.js";
import {
  authFailure,
  certificateStage,
  sendFailure,
  starttlsRequired,
  wantsStarttls,
  type SmtpError,
} from "./smtp-replies.js";
import { failure, result, type SmtpTarget, type StageResult } from "./types.js";

interface SmtpProbe {
  /** Set when the session failed before TLS: replaces the TCP-only connect stage. */
  connect: StageResult | null;
  tls: StageResult;
  auth: StageResult;
  send: StageResult;
  /** Set when the server greets as mailproof: the sent message can be looked up. */
  mailproof: boolean;
  sentMessageId: string | null;
}

/** Records the server's replies (nodemailer's debug log, "server" transactions). */
function transcriptLogger(lines: string[]) {
  // The %s arguments nodemailer logs are strings and numbers (an address may be undefined).
  const log = (entry: unknown, message?: string, ...args: Array<string | number | undefined>) => {
    if (typeof entry !== "object" || entry === null || !message) return;
    const tnx = (entry as { tnx?: string }).tnx;
    if (tnx !== "server" && tnx !== "client") return;
    let i = 0;
    const text = message.replace(/%s/g, () => String(args[i++] ?? ""));
    for (const line of text.split(/\r?\n/))
      if (line) lines.push(`${tnx === "server" ? "S" : "C"}: ${line}`);
  };
  return {
    trace: log,
    debug: log,
    info: log,
    warn: log,
    error: log,
    fatal: log,
    level: () => undefined,
  };
}

/**
 * One SMTP command as a promise. nodemailer reports some failures only as an `error` or `end`
 * event and never calls the callback (a TLS mode mismatch, a 421 greeting), so all three settle
 * it, and a deadline backs them up: doctor never waits forever.
 */
function call<T>(
  connection: SMTPConnection,
  deadlineMs: number,
  start: (cb: (err: Error | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = (err: Error | null, value?: T) => {
      clearTimeout(timer);
      connection.off("error", onError);
      connection.off("end", onEnd);
      if (err) reject(err);
      else resolve(value as T);
    };
    const onError = (err: Error) => settle(err);
    const onEnd = () =>
      settle(Object.assign(new Error("the server closed the connection"), { code: "ECONNECTION" }));
    const timer = setTimeout(
      () =>
        settle(
          Object.assign(new Error(`no answer within ${deadlineMs} ms`), { code: "ETIMEDOUT" }),
        ),
      deadlineMs,
    );
    connection.on("error", onError);
    connection.once("end", onEnd);
    try {
      start(settle);
    } catch (err) {
      settle(err as Error);
    }
  });
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

/** Stages greeting, TLS, AUTH and a real test send over one SMTP session. */
export async function probeSmtp(target: SmtpTarget, timeoutMs: number): Promise<SmtpProbe> {
  const lines: string[] = [];
  const skipped = (stage: string, why: string) => result(stage, "skipped", why);
  const connection = new SMTPConnection({
    host: target.host,
    port: target.port,
    secure: target.secure,
    name: "mailproof-doctor",
    // Certificates are judged by certificateStage, which names what a verifying client would refuse.
    // SNI takes host names only (RFC 6066 §3), never an IP literal.
    tls: { rejectUnauthorized: false, ...(isIP(target.host) ? {} : { servername: target.host }) },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: transcriptLogger(lines) as never,
    debug: true,
  });
  // Every failure is settled through call(); this listener only keeps a late one from crashing the process.
  connection.on("error", () => undefined);
  const probe: SmtpProbe = {
    connect: null,
    tls: skipped("tls", "not reached"),
    auth: skipped("auth", "not reached"),
    send: skipped("send", "not reached"),
    mailproof: false,
    sentMessageId: null,
  };
  const deadline = timeoutMs * 2 + 1000;
  // The session's setup (greeting, STARTTLS) is timed as TLS, then AUTH, then the send.
  const durations = { tls: 0, auth: 0, send: 0 };
  let phaseStart = performance.now();
  const lap = (phase: keyof typeof durations) => {
    const now = performance.now();
    durations[phase] += Math.round(now - phaseStart);
    phaseStart = now;
  };

  try {
    try {
      await call<void>(connection, deadline, (cb) => connection.connect(cb as () => void));
    } catch (err) {
      const stage = await classifySessionError(err as SmtpError, target, lines, timeoutMs);
      lap("tls");
      if (stage.stage === "connect") probe.connect = stage;
      else probe.tls = stage;
      return probe;
    }
    lap("tls");
    probe.mailproof = lines.some((l) => /^S: 220 .*mailproof/i.test(l));
    const socket = (connection as unknown as { _socket: TLSSocket })._socket;
    const mechanisms = (connection as unknown as { _supportedAuth: string[] })._supportedAuth;
    const offeredStarttls = lines.some((l) => /^S: 250[ -]STARTTLS\b/i.test(l));
    if (connection.secure) {
      probe.tls = certificateStage(socket, target.host, target.secure, probe.mailproof);
    } else if (target.user) {
      // Refuse to send the password at all: that it would travel in clear text is the finding.
      probe.tls = failure(
        "tls",
        "tls.starttls-missing",
        `${target.host}:${target.port} offers no STARTTLS: SMTP_PASSWORD would be sent in clear text`,
        {
          evidence: lines.filter((l) => l.startsWith("S: 250")),
          causes: [
            "this port is a plain relay port, or the server has no TLS certificate configured",
            "a proxy strips STARTTLS (a downgrade)",
          ],
          next: [
            `use the server's TLS port (587 with STARTTLS, or 465 with SMTP_SECURE=true); configure TLS on the server`,
          ],
        },
      );
      probe.auth = skipped("auth", "not attempted: the credentials would travel in clear text");
      probe.send = skipped("send", "not attempted without TLS");
      return probe;
    } else {
      probe.tls = result("tls", "warn", "the server offers no TLS: mail travels in clear text", {
        code: "tls.starttls-missing",
        next: ["use a port that offers STARTTLS (587) or implicit TLS (465)"],
      });
    }

    if (target.user) {
      const before = lines.length;
      try {
        await call<void>(connection, deadline, (cb) =>
          connection.login({ user: target.user!, pass: target.pass ?? "" }, cb as () => void),
        );
        lap("auth");
        probe.auth = result("auth", "pass", `logged in as ${target.user}`, {
          evidence: [`mechanisms offered: ${mechanisms.join(" ") || "none"}`],
        });
      } catch (err) {
        lap("auth");
        const e = err as SmtpError;
        if (wantsStarttls(e) && !connection.secure)
          probe.tls = starttlsRequired(e, offeredStarttls, lines.slice(before));
        probe.auth = authFailure(e, [
          `mechanisms offered: ${mechanisms.join(" ") || "none"}`,
          ...lines.slice(before).slice(-3),
        ]);
        return probe;
      }
    } else {
      probe.auth = result(
        "auth",
        "skipped",
        `SMTP_USER is not set; mechanisms offered: ${mechanisms.join(" ") || "none"}`,
      );
    }

    if (!target.to) {
      probe.send = skipped("send", "no recipient: set TEST_EMAIL or pass --to");
      return probe;
    }
    const messageId = `doctor-${randomUUID()}@${target.from.split("@")[1] ?? "localhost"}`;
    const before = lines.length;
    try {
      const info = await call<{ response: string }>(connection, deadline, (cb) =>
        connection.send(
          { from: target.from, to: [target.to!] },
          testMessage(target.from, target.to!, messageId),
          cb,
        ),
      );
      probe.sentMessageId = messageId;
      probe.send = result("send", "pass", `accepted: ${info.response}`, {
        evidence: lines.slice(before).filter((l) => l.startsWith("S:")),
      });
    } catch (err) {
      const e = err as SmtpError;
      const replies = lines.slice(before).filter((l) => l.startsWith("S:"));
      if (wantsStarttls(e) && !connection.secure) {
        probe.tls = starttlsRequired(e, offeredStarttls, replies);
        probe.send = skipped("send", "refused until STARTTLS (see tls)");
      } else {
        probe.send = sendFailure(e, replies);
        if (e.responseCode === 530 && !target.user)
          probe.auth = failure(
            "auth",
            "auth.required",
            "the server requires AUTH but SMTP_USER is not set",
            { causes: ["missing credentials"], next: ["set SMTP_USER and SMTP_PASSWORD"] },
          );
      }
    }
    return probe;
  } finally {
    lap("send");
    probe.tls.durationMs = durations.tls;
    probe.auth.durationMs = durations.auth;
    probe.send.durationMs = durations.send;
    connection.quit();
    connection.close();
  }
}
