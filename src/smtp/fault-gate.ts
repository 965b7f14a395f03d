import type { Logger } from "pino";
import type { SMTPServerSession } from "smtp-server";
import type { FaultAction, FaultContext, FaultEngine, FaultStage } from "../faults/index.js";
import type { TranscriptRecorder } from "../transcripts/recorder.js";
import { smtpError } from "./smtp-error.js";

interface FaultGateDeps {
  faults: FaultEngine;
  recorder: TranscriptRecorder;
  logger: Logger;
  /** Destroys the connection's socket: no reply, the client sees the connection drop. */
  drop(connectionId: string): void;
  /** Waits `ms`, or less if the connection closes first; resolves whether it is still open. */
  pause(connectionId: string, ms: number): Promise<boolean>;
}

/** What a hook does after the gate: go on as usual, answer with an error, or nothing (the connection is gone). */
export type GateOutcome = { kind: "proceed" } | { kind: "reply"; error: Error } | { kind: "gone" };

export interface FaultGate {
  /** Asks the fault engine about this stage; a rule that fires is logged and noted in the transcript. */
  decide(stage: FaultStage, session: SMTPServerSession, context: FaultContext): FaultAction | null;
  /** Carries out a decided rule for a command stage: the delay, then the drop or the reply. */
  perform(action: FaultAction | null, session: SMTPServerSession): Promise<GateOutcome>;
}

export function createFaultGate(deps: FaultGateDeps): FaultGate {
  const decide: FaultGate["decide"] = (stage, session, context) => {
    const action = deps.faults.check(stage, context);
    if (!action) return null;
    const { index: rule, reply, delayMs, disconnect } = action;
    const transcript = deps.recorder.fault(session.id, { stage, rule, reply, delayMs, disconnect });
    deps.logger.info(
      {
        session: session.id,
        transcript,
        stage,
        rule,
        code: reply?.code ?? null,
        delayMs,
        disconnect,
        client: context.remoteAddress,
        from: context.from,
        to: context.to,
        user: context.user,
      },
      stage === "data" && !delayOnly(action)
        ? "message rejected by a fault rule; not stored"
        : "smtp fault rule fired",
    );
    return action;
  };

  return {
    decide,
    async perform(action, session) {
      if (!action) return { kind: "proceed" };
      if (action.delayMs > 0 && !(await deps.pause(session.id, action.delayMs)))
        return { kind: "gone" };
      if (action.disconnect) {
        deps.drop(session.id);
        return { kind: "gone" };
      }
      return action.reply
        ? { kind: "reply", error: smtpError(action.reply.code, action.reply.message) }
        : { kind: "proceed" };
    },
  };
}

function delayOnly(action: FaultAction): boolean {
  return !action.reply && !action.disconnect;
}
