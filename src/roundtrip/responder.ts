import type { Logger } from "pino";
import type { Message } from "../core/types.js";
import type { Ingest, IngestInput } from "../ingest/ingest.js";
import { buildComplaint } from "./arf.js";
import { buildAutoReply } from "./auto-reply.js";
import { buildDsn } from "./dsn.js";
import type { InboundTarget } from "./inbound/target.js";
import { headerValue, returnPath, type BuiltMessage } from "./mime.js";
import { originalTag } from "./original.js";
import type { ResponsePlan, ResponseType } from "./rules.js";

/** Tags on captured responses, for searches such as `tag:bounce`. */
const TAGS: Record<ResponseType, string> = {
  hard: "bounce",
  soft: "soft-bounce",
  complaint: "complaint",
  "auto-reply": "auto-reply",
};

interface ResponderDeps {
  ingest: Ingest;
  logger: Logger;
  /** `--inbound`: where responses are delivered besides being captured. @default null */
  inbound: InboundTarget | null;
}

export interface Responder {
  /** `ingest` for the SMTP listeners: captures, then answers what the rules say. */
  answering(ingest: Ingest): Ingest;
  /** Cancels responses still waiting for their delay and waits for those being sent. */
  stop(): Promise<void>;
}

/**
 * Answers captured SMTP mail the way the far side would: a bounce, a spam complaint or an
 * out-of-office reply for each recipient a rule (or simulator address) names. Responses are
 * captured through the one ingest path (`source.kind: "dsn"`) and delivered to `--inbound`.
 */
export function startResponder(
  deps: ResponderDeps,
  planFor: (recipient: string) => ResponsePlan | null,
): Responder {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  const respond = async (
    message: Message,
    raw: Buffer,
    type: ResponseType,
    recipients: string[],
    to: string,
  ) => {
    const id = message.id;
    for (const built of build(message, raw, type, recipients, to)) {
      const captured = await deps.ingest({
        raw: built.raw,
        envelope: {
          mailFrom: built.mailFrom,
          rcptTo: built.rcptTo,
          remoteAddress: null,
          helo: null,
          secure: false,
          authUser: null,
        },
        source: { kind: "dsn", providerMessageId: null },
        tags: [TAGS[type], originalTag(id)],
      });
      deps.logger.info(
        { id: captured.id, original: id, type, to },
        "round trip: response captured",
      );
      if (deps.inbound) {
        const result = await deps.inbound.deliver(built);
        deps.logger.info(
          { id: captured.id, inbound: deps.inbound.display, status: result.status },
          "round trip: response delivered to --inbound",
        );
      }
    }
  };

  const schedule = (
    message: Message,
    raw: Buffer,
    type: ResponseType,
    recipients: string[],
    delayMs: number,
    to: string,
  ) => {
    const run = () => {
      const job = respond(message, raw, type, recipients, to).catch((err: unknown) =>
        deps.logger.error({ err, id: message.id, type }, "round trip: response failed"),
      );
      running.add(job);
      void job.finally(() => running.delete(job));
    };
    if (delayMs === 0) return run();
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, delayMs);
    timers.add(timer);
  };

  /** Plans the responses to mail captured over SMTP (responses are captured as "dsn" and never answered). */
  const consider = (message: Message, raw: Buffer) => {
    // Mail from the null sender has nowhere to go back to (RFC 3464 §2, RFC 5321 §4.5.5).
    const to = returnPath(message);
    if (!to) return;
    const groups = new Map<string, { type: ResponseType; delayMs: number; recipients: string[] }>();
    for (const rcpt of message.envelope.rcptTo) {
      const plan = planFor(rcpt);
      if (!plan || (plan.type === "auto-reply" && autoSubmitted(message))) continue;
      const key = `${plan.type}/${plan.delayMs}`;
      const group = groups.get(key) ?? { ...plan, recipients: [] };
      group.recipients.push(rcpt);
      groups.set(key, group);
    }
    for (const group of groups.values())
      schedule(message, raw, group.type, group.recipients, group.delayMs, to);
  };

  return {
    // Hooked into the SMTP path rather than the event bus: instances sharing a database see each
    // other's events, and each message must be answered once.
    answering(ingest) {
      const wrapped = async (input: IngestInput) => {
        const message = await ingest(input);
        consider(message, input.raw);
        return message;
      };
      return Object.assign(wrapped, {
        backlog: () => ingest.backlog(),
        drain: () => ingest.drain(),
        resume: () => ingest.resume(),
      });
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}

/** One DSN for all bounced recipients of a kind; one complaint or auto-reply per recipient. */
function build(
  message: Message,
  raw: Buffer,
  type: ResponseType,
  recipients: string[],
  to: string,
): BuiltMessage[] {
  if (type === "hard" || type === "soft") return [buildDsn(message, raw, recipients, type, to)];
  if (type === "complaint") return recipients.map((rcpt) => buildComplaint(message, raw, rcpt, to));
  return recipients.map((rcpt) => buildAutoReply(message, rcpt, to));
}

/** RFC 3834 §2: a message with Auto-Submitted other than "no" gets no automatic response. */
function autoSubmitted(message: Message): boolean {
  const value = headerValue(message, "Auto-Submitted");
  return value !== null && value.trim().toLowerCase().split(";")[0]?.trim() !== "no";
}
