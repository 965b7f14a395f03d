import type { Logger } from "pino";
import type { SMTPServerDataStream, SMTPServerSession } from "smtp-server";
import type { FaultContext, FaultEngine } from "../faults/index.js";
import { isMailproofError } from "../core/errors.js";
import type { Ingest } from "../ingest/ingest.js";
import { createReservation, type BytesInFlight } from "../limits/bytes-in-flight.js";
import type { TranscriptRecorder } from "../transcripts/recorder.js";
import type { FaultGate } from "./fault-gate.js";
import { smtpError } from "./smtp-error.js";

interface ReceiveDeps {
  ingest: Ingest;
  logger: Logger;
  faults: FaultEngine;
  gate: FaultGate;
  recorder: TranscriptRecorder;
  /** Shared with the HTTP ingestion paths: message bytes being received at once. */
  inFlight: BytesInFlight;
  drop(connectionId: string): void;
}

type DataCallback = (err?: Error | null, message?: string) => void;

/**
 * The DATA stage: collects the message (at most `maxSize` bytes are kept), then stores it
 * through ingest() and answers 250 only once it is committed. A `data` fault rule decided when
 * DATA starts either drops the connection at the first bytes of the message (the client sees
 * it die mid-DATA), or answers its reply after the final dot instead of storing the message,
 * after its delay (a slow final reply is what trips client timeouts).
 *
 * Every byte kept counts against the shared bytes-in-flight budget until the message is stored;
 * once a chunk does not fit, the message is drained instead of kept and refused with a temporary
 * 452 4.3.1, which the client retries (RFC 5321 §4.2.5).
 */
export function createDataReceiver(deps: ReceiveDeps, maxSize: number) {
  const { logger } = deps;
  return (stream: SMTPServerDataStream, session: SMTPServerSession, callback: DataCallback) => {
    const context = sessionContext(session);
    const action = deps.gate.decide("data", session, context);
    let dropped = false;
    const chunks: Buffer[] = [];
    let received = 0;
    const reservation = createReservation(deps.inFlight);
    const dropNow = () => {
      dropped = true;
      deps.drop(session.id);
    };
    stream.on("data", (chunk: Buffer) => {
      if (action?.disconnect && action.delayMs === 0 && !dropped) return dropNow();
      received += chunk.length;
      // Past the limit nothing more is kept: the bytes are drained and the reply is 552.
      if (received > maxSize || reservation.refused()) return;
      if (reservation.add(chunk.length)) chunks.push(chunk);
      else chunks.length = 0;
    });
    stream.on("error", (err: Error) => {
      // Our own drop ends the stream with an error; anything else is worth a warning.
      if (!dropped) logger.warn({ err, session: session.id }, "smtp data stream failed");
      reservation.release();
      callback(smtpError(451, "4.3.0 Error reading message data"));
    });
    const onEnd = async () => {
      if (dropped) return reservation.release();
      if (stream.sizeExceeded || received > maxSize) {
        reservation.release();
        logger.info(
          { session: session.id, size: received, maxSize },
          "message rejected: too large",
        );
        return callback(
          smtpError(552, `5.3.4 Message size exceeds fixed limit of ${maxSize} bytes`),
        );
      }
      if (reservation.refused()) {
        logger.warn(
          { session: session.id, size: received, bytesInFlightLimit: deps.inFlight.limit },
          "message refused for now: too many bytes being received at once",
        );
        return callback(
          smtpError(452, "4.3.1 Too much mail being received at once, try again shortly"),
        );
      }
      const outcome = await deps.gate.perform(action, session);
      if (outcome.kind !== "proceed") reservation.release();
      if (outcome.kind === "gone") {
        if (!action?.disconnect)
          logger.info(
            { session: session.id },
            "client left before the delayed reply; message not stored",
          );
        return callback(smtpError(451, "4.4.2 Connection dropped"));
      }
      if (outcome.kind === "reply") return callback(outcome.error);
      const raw = Buffer.concat(chunks, received);
      // This closure lives until the message is stored; the chunks must not (they double the
      // memory a large message holds while it is parsed and written).
      chunks.length = 0;
      deps
        .ingest({
          raw,
          envelope: envelopeOf(session),
          source: { kind: "smtp", providerMessageId: null },
        })
        .then(
          (message) => {
            reservation.release();
            deps.faults.accepted(context);
            callback(null, `Ok: queued as ${message.id}`);
            deps.recorder.message(session.id, message.id);
          },
          (err: unknown) => {
            reservation.release();
            logger.error({ err, session: session.id }, "message could not be stored");
            if (isMailproofError(err) && err.code === "STORAGE_FULL")
              return callback(smtpError(452, "4.3.1 Insufficient system storage, try again later"));
            callback(smtpError(451, "4.3.0 Message could not be stored, try again later"));
          },
        );
    };
    // An emitter does not await its listeners; the handler runs on its own, as before.
    stream.on("end", () => void onEnd());
  };
}

/** What the fault rules can match on at this point of the session. */
export function sessionContext(
  session: SMTPServerSession,
  overrides: Partial<FaultContext> = {},
): FaultContext {
  return {
    remoteAddress: session.remoteAddress,
    from: session.envelope?.mailFrom ? session.envelope.mailFrom.address : null,
    to: session.envelope?.rcptTo?.map((r) => r.address) ?? [],
    user: typeof session.user === "string" ? session.user : null,
    ...overrides,
  };
}

function envelopeOf(session: SMTPServerSession) {
  return {
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null,
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    remoteAddress: session.remoteAddress,
    helo: session.hostNameAppearsAs || null,
    secure: session.secure,
    authUser: typeof session.user === "string" ? session.user : null,
    smtpUtf8: Boolean((session.envelope as { smtpUtf8?: boolean }).smtpUtf8),
  };
}
