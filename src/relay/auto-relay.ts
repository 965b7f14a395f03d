import type { Logger } from "pino";
import type { EventBus } from "../core/events.js";
import { matches, toSearchable, type Query } from "../store/query.js";
import type { Store } from "../store/store.js";
import type { Relay } from "./relay.js";

interface AutoRelayDeps {
  events: EventBus;
  store: Store;
  relay: Relay;
  logger: Logger;
  onFailure(): void;
}

/**
 * `--relay-matching QUERY`: each captured message that matches is released to those of its
 * original recipients that `--relay-allow` permits. Runs off the capture path, one message at a
 * time, after the 250/2xx: a slow or failing relay never holds up capture.
 */
export function startAutoRelay(deps: AutoRelayDeps, query: Query): { stop(): Promise<void> } {
  let queue = Promise.resolve();
  const relayOne = async (id: string) => {
    const [message, raw] = await Promise.all([deps.store.get(id), deps.store.raw(id)]);
    if (!message || !raw || !matches(query, toSearchable(message))) return;
    const recipients =
      message.envelope.rcptTo.length > 0
        ? message.envelope.rcptTo
        : [...message.to, ...message.cc].map((a) => a.address);
    const refused = new Set(deps.relay.refused(recipients));
    const allowed = recipients.filter((r) => !refused.has(r));
    if (refused.size > 0)
      deps.logger.info(
        { id, refused: [...refused] },
        "auto-relay skips recipients outside --relay-allow",
      );
    if (allowed.length === 0) return;
    try {
      await deps.relay.release(message, raw, allowed);
    } catch (err) {
      deps.onFailure();
      deps.logger.error({ err, id }, "auto-relay failed; release it by hand once the relay works");
    }
  };
  const unsubscribe = deps.events.on("message.received", ({ id }) => {
    queue = queue
      .then(() => relayOne(id))
      .catch((err: unknown) =>
        deps.logger.error({ err, id }, "auto-relay could not read the message"),
      );
  });
  return {
    async stop() {
      unsubscribe();
      await queue;
    },
  };
}
