import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { SMTPServerSession } from "smtp-server";
import type { Credentials } from "../config/options.js";
import type { FaultEngine } from "../faults/index.js";
import type { Ingest } from "../ingest/ingest.js";
import type { BytesInFlight } from "../limits/bytes-in-flight.js";
import type { TranscriptRecorder } from "../transcripts/recorder.js";
import { authenticate } from "./authenticate.js";
import { createAuthThrottle } from "./auth-throttle.js";
import { createFaultGate, type GateOutcome } from "./fault-gate.js";
import { PromptSMTPServer } from "./prompt-server.js";
import { createDataReceiver, sessionContext } from "./receive-data.js";
import type { TestCertificateSource } from "./test-certificates.js";
import type { TlsMaterial } from "./tls.js";
import { createTlsFaults } from "./tls-faults.js";
import { smtpError } from "./smtp-error.js";
import { createTranscriptLogger } from "./transcript-logger.js";

interface SmtpListenerOptions {
  host: string;
  port: number;
  /** Implicit TLS (SMTPS) instead of plain SMTP with STARTTLS offered. */
  implicitTls: boolean;
  tls: TlsMaterial;
  maxSize: number;
  /** Required credentials; null accepts any credentials and mail without AUTH. */
  auth: Credentials[] | null;
  maxConnections: number;
  /** Recipients per transaction; smtp-server answers 452 4.5.3 beyond it. 0 = no limit. */
  maxRecipients: number;
  /** Idle time (ms) after which smtp-server closes the connection with 421. */
  socketTimeout: number;
}

export interface SmtpListenerDeps {
  ingest: Ingest;
  logger: Logger;
  /** Fault rules applied at each stage of every session. */
  faults: FaultEngine;
  /** Records each session's commands, replies and faults. */
  recorder: TranscriptRecorder;
  /** The certificates TLS fault rules present. */
  certificates: TestCertificateSource;
  /** Shared with the HTTP ingestion paths: message bytes being received at once. */
  inFlight: BytesInFlight;
}

export interface SmtpListener {
  start(): Promise<number>;
  stop(): Promise<void>;
}

type Callback = (err?: Error | null) => void;

/** RFC 3463 4.3.1: the system is full for now; the client keeps the message and retries. */
const BUSY_REPLY = "4.3.1 Too much mail being received at once, try again shortly";

/** The SIZE a client declared on MAIL FROM (RFC 1870), or 0. */
function declaredSize(args: object | false | undefined): number {
  const size = args ? (args as { SIZE?: unknown }).SIZE : undefined;
  return typeof size === "string" ? Number(size) : 0;
}

export function createSmtpListener(
  deps: SmtpListenerDeps,
  options: SmtpListenerOptions,
): SmtpListener {
  const { logger, recorder, inFlight } = deps;
  /** Whether a message of `size` bytes (or any, when none was declared) fits in the budget now. */
  const roomFor = (size: number) => inFlight.limit - inFlight.inFlight() >= Math.max(1, size);
  const listener = options.implicitTls ? "smtps" : "smtp";
  const gate = createFaultGate({
    faults: deps.faults,
    recorder,
    logger,
    drop: (id) => server.drop(id),
    pause: (id, ms) => server.pause(id, ms),
  });
  /** Runs a command stage's fault rule, then the normal handling when no rule answered. */
  const guarded = (
    stage: "connect" | "mail" | "rcpt",
    session: SMTPServerSession,
    context: ReturnType<typeof sessionContext>,
    callback: Callback,
  ) => {
    void gate
      .perform(gate.decide(stage, session, context), session)
      .then((outcome: GateOutcome) => {
        if (outcome.kind === "reply") callback(outcome.error);
        else if (outcome.kind === "proceed") callback();
      });
  };

  const tlsFaults = createTlsFaults({
    faults: deps.faults,
    recorder,
    logger,
    certificates: deps.certificates,
    material: options.tls,
    presenting: (context, upgrade) => server.presenting(context, upgrade),
  });
  const throttle = createAuthThrottle();
  /** A failed AUTH answered as the throttle says: at once, later, or with 421 and a hang-up. */
  const answerAuth =
    (
      session: SMTPServerSession,
      callback: Parameters<typeof authenticate>[3],
    ): Parameters<typeof authenticate>[3] =>
    (err, response) => {
      if (!err) return callback(err, response);
      const answer = throttle.failed(session.id);
      if (answer.kind === "disconnect") {
        logger.warn(
          { session: session.id, remoteAddress: session.remoteAddress },
          "smtp connection closed after repeated authentication failures",
        );
        return callback(
          smtpError(421, "4.7.0 Too many failed authentication attempts, closing connection"),
        );
      }
      if (answer.delayMs === 0) return callback(err);
      setTimeout(() => callback(err), answer.delayMs);
    };

  const server: PromptSMTPServer = new PromptSMTPServer(
    {
      secure: options.implicitTls,
      key: options.tls.key,
      cert: options.tls.cert,
      name: "mailproof",
      banner: "sandbox",
      size: options.maxSize,
      maxClients: options.maxConnections || undefined,
      maxRecipients: options.maxRecipients || undefined,
      socketTimeout: options.socketTimeout,
      // Development apps often send credentials on plain port 1025; refusing them would only
      // make the sandbox fail where production would not.
      allowInsecureAuth: true,
      authOptional: options.auth === null,
      authMethods: ["PLAIN", "LOGIN", "CRAM-MD5"],
      hideENHANCEDSTATUSCODES: false,
      disableReverseLookup: true,
      // On shutdown, sessions get this long to finish before they are cut (smtp-server's default is 30 s).
      closeTimeout: 10_000,
      // Not a log sink: the command/reply lines smtp-server logs become session transcripts.
      logger: createTranscriptLogger(recorder),
      onConnect: (session, callback) =>
        guarded("connect", session, sessionContext(session), callback),
      onSecure: (socket, session, callback) => {
        const cipher = "getCipher" in socket ? socket.getCipher() : null;
        recorder.line(
          session.id,
          "mailproof",
          `TLS established: ${cipher?.version ?? "unknown protocol"} ${cipher?.name ?? ""}`.trim(),
        );
        callback();
      },
      onAuth: (auth, session, callback) => {
        const action = gate.decide(
          "auth",
          session,
          sessionContext(session, { user: auth.username ?? null }),
        );
        void gate.perform(action, session).then((outcome) => {
          if (outcome.kind === "reply") callback(outcome.error);
          else if (outcome.kind === "proceed")
            authenticate(options.auth, auth, session, answerAuth(session, callback), logger);
        });
      },
      onMailFrom: (address, session, callback) => {
        if (!roomFor(declaredSize(address.args))) return callback(smtpError(452, BUSY_REPLY));
        guarded(
          "mail",
          session,
          sessionContext(session, { from: address.address, to: [] }),
          callback,
        );
      },
      onRcptTo: (address, session, callback) =>
        guarded("rcpt", session, sessionContext(session, { to: [address.address] }), callback),
      onData: createDataReceiver(
        {
          ingest: deps.ingest,
          logger,
          faults: deps.faults,
          gate,
          recorder,
          inFlight,
          drop: (id) => server.drop(id),
        },
        options.maxSize,
      ),
      onClose: (session) => {
        throttle.forget(session.id);
        const tls = session.tlsOptions
          ? {
              protocol: session.tlsOptions.version ?? null,
              cipher: session.tlsOptions.name ?? null,
            }
          : null;
        recorder.close(session.id, {
          secure: Boolean(session.secure),
          tls,
          helo: session.hostNameAppearsAs || null,
          authUser: typeof session.user === "string" ? session.user : null,
        });
      },
    },
    {
      opened: (connection) => {
        recorder.open(connection.id, {
          listener,
          address: connection.remoteAddress,
          port: connection.remotePort,
        });
        if (!options.implicitTls) tlsFaults.applyTo(connection);
      },
      handshakeContext: (socket) => tlsFaults.contextFor(socket),
      refuseData: (session) =>
        roomFor(declaredSize(session.envelope.mailFrom ? session.envelope.mailFrom.args : false))
          ? null
          : BUSY_REPLY,
    },
  );
  server.on("error", (err: NodeJS.ErrnoException) => {
    // A failed listen rejects start(), which reports it once.
    if (err.syscall !== "listen") logger.warn({ err }, "smtp connection error");
  });

  return {
    start() {
      return new Promise((resolve, reject) => {
        server.server.once("error", reject);
        server.listen(options.port, options.host, () => {
          server.server.off("error", reject);
          resolve((server.server.address() as AddressInfo).port);
        });
      });
    },
    stop() {
      // smtp-server lets open sessions finish (up to its close timeout) before it calls back.
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
