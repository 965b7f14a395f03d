import type { EventBus } from "../../../core/events.js";

/** Mailpit's `RuntimeStats`, counted from the event bus since start. */
export interface MailpitStats {
  snapshot(): {
    Uptime: number;
    MessagesDeleted: number;
    SMTPAccepted: number;
    SMTPAcceptedSize: number;
    SMTPRejected: number;
    SMTPIgnored: number;
  };
}

export function createMailpitStats(events: EventBus, now: () => number = Date.now): MailpitStats {
  const started = now();
  let accepted = 0;
  let acceptedSize = 0;
  let deleted = 0;
  events.on("message.received", ({ summary }) => {
    if (summary.source.kind !== "smtp") return;
    accepted++;
    acceptedSize += summary.size;
  });
  events.on("message.deleted", ({ ids }) => {
    if (ids !== "all") deleted += ids.length;
  });
  return {
    snapshot: () => ({
      Uptime: Math.floor((now() - started) / 1000),
      MessagesDeleted: deleted,
      SMTPAccepted: accepted,
      SMTPAcceptedSize: acceptedSize,
      SMTPRejected: 0,
      SMTPIgnored: 0,
    }),
  };
}
