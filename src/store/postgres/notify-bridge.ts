import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import type { EventBus, EventName, MailproofEvents } from "../../core/events.js";
import { toSummary } from "../../core/summary.js";
import type { Store } from "../store.js";

interface NotifyBridgeOptions {
  /** The same database the store uses: NOTIFY is scoped to one database. */
  connectionString: string;
  /** The in-process bus to bridge. */
  events: EventBus;
  /** Where a receiver loads what did not fit in a notification. */
  store: Store;
  logger: Logger;
  /** @default "mailproof_events" */
  channel?: string;
  /** First delay before the listening connection is re-established; doubles up to 30 s while it fails. @default 1000 */
  reconnectMs?: number;
}

export interface NotifyBridge {
  /** The bus to hand to everything else: emits reach this instance's listeners and every other instance's. */
  events: EventBus;
  /** Identifies this instance's notifications (so it ignores its own). */
  instanceId: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL allows 8000 bytes per NOTIFY payload. Larger events travel as a message id and the
 * receiver loads the rest from the store; deletions are split into several notifications.
 */
const MAX_PAYLOAD = 7900;
const IDS_PER_NOTIFICATION = 200;

type Wire =
  | {
      from: string;
      name: "message.received" | "message.analyzed";
      id: string;
      payload?: MailproofEvents["message.received" | "message.analyzed"];
    }
  | { from: string; name: "message.deleted"; payload: MailproofEvents["message.deleted"] };

/**
 * Carries events between mailproof instances that share one PostgreSQL database, so that
 * `/api/wait` and SSE on one instance see mail captured by another, without polling: local
 * emits are published with NOTIFY (tagged with this instance's id), and a dedicated connection
 * LISTENs and re-emits other instances' notifications on the local bus.
 *
 * Notifications are delivered in commit order and only after the sender's transaction commits
 * (PostgreSQL NOTIFY semantics), and each event is sent after the store write it announces, so
 * a receiver can always load the message. Outgoing events are queued and sent in order, several
 * per round trip; incoming ones are re-emitted in arrival order.
 */
export async function createNotifyBridge(options: NotifyBridgeOptions): Promise<NotifyBridge> {
  const { events: local, store, logger } = options;
  const channel = options.channel ?? "mailproof_events";
  const instanceId = randomBytes(8).toString("hex");
  const publisher = new pg.Pool({ connectionString: options.connectionString, max: 1 });
  publisher.on("error", (err) => logger.error({ err }, "idle NOTIFY connection failed"));

  let stopped = false;
  let listener: pg.Client | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let incoming: Promise<void> = Promise.resolve();

  const receive = async (wire: Wire) => {
    if (wire.name === "message.deleted") return local.emit(wire.name, wire.payload);
    if (wire.payload) return local.emit(wire.name, wire.payload);
    const message = await store.get(wire.id);
    // Deleted since: its deletion notification follows; there is nothing to announce.
    if (!message) return;
    if (wire.name === "message.received")
      local.emit(wire.name, { id: wire.id, summary: toSummary(message) });
    else
      local.emit(wire.name, {
        id: wire.id,
        summary: toSummary(message),
        analysis: message.analysis,
      });
  };

  const onNotification = (notification: pg.Notification) => {
    // After stop() the store is about to close: nothing more is relayed.
    if (stopped || notification.channel !== channel || !notification.payload) return;
    let wire: Wire;
    try {
      wire = JSON.parse(notification.payload) as Wire;
    } catch (err) {
      logger.error(
        { err, payload: notification.payload.slice(0, 200) },
        "unreadable NOTIFY payload ignored",
      );
      return;
    }
    if (wire.from === instanceId) return;
    incoming = incoming.then(
      () => receive(wire),
      () => receive(wire),
    );
    incoming.catch((err: unknown) =>
      logger.error({ err, event: wire.name }, "could not relay an event from another instance"),
    );
  };

  const listen = async () => {
    const client = new pg.Client({ connectionString: options.connectionString });
    client.on("notification", onNotification);
    const close = () =>
      client
        .end()
        .catch((err: unknown) =>
          logger.debug({ err }, "closing a failed LISTEN connection failed too"),
        );
    client.on("error", (err) => {
      logger.error(
        { err },
        "LISTEN connection failed; events from other instances are missed until it is back",
      );
      client.removeAllListeners("notification");
      void close();
      // A connection that never started listening is retried by whoever awaited listen().
      if (listener !== client) return;
      listener = null;
      scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      await close();
      throw err;
    }
    listener = client;
  };

  const firstDelay = options.reconnectMs ?? 1000;
  let delay = firstDelay;
  const scheduleReconnect = () => {
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      listen().then(
        () => {
          delay = firstDelay;
          logger.info("LISTEN connection re-established");
        },
        (err: unknown) => {
          delay = Math.min(delay * 2, 30_000);
          logger.error({ err, retryInMs: delay }, "LISTEN reconnect failed");
          scheduleReconnect();
        },
      );
    }, delay);
  };

  await listen();

  let outgoing: string[] = [];
  let sending: Promise<void> | null = null;
  const flush = () => {
    if (sending || outgoing.length === 0) return;
    const payloads = outgoing;
    outgoing = [];
    sending = publisher
      .query(
        "SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS t(payload, n) ORDER BY n",
        [channel, payloads],
      )
      .then(
        () => undefined,
        (err: unknown) =>
          logger.error(
            { err, count: payloads.length },
            "NOTIFY failed; other instances missed these events",
          ),
      )
      .finally(() => {
        sending = null;
        flush();
      });
  };
  const publish = (wire: Wire) => {
    outgoing.push(JSON.stringify(wire));
    // One round trip for all events emitted in the same turn of the event loop.
    if (outgoing.length === 1) setImmediate(flush);
  };

  const encode = <K extends EventName>(name: K, payload: MailproofEvents[K]): Wire[] => {
    if (name === "message.deleted") {
      const { ids } = payload as MailproofEvents["message.deleted"];
      if (ids === "all") return [{ from: instanceId, name, payload: { ids } }];
      const parts: Wire[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_NOTIFICATION) {
        parts.push({
          from: instanceId,
          name,
          payload: { ids: ids.slice(i, i + IDS_PER_NOTIFICATION) },
        });
      }
      return parts;
    }
    const event = payload as MailproofEvents["message.received" | "message.analyzed"];
    const full: Wire = {
      from: instanceId,
      name: name as "message.received",
      id: event.id,
      payload: event,
    };
    return Buffer.byteLength(JSON.stringify(full)) <= MAX_PAYLOAD
      ? [full]
      : [{ from: instanceId, name: name as "message.received", id: event.id }];
  };

  const events: EventBus = {
    emit(name, payload) {
      local.emit(name, payload);
      if (!stopped) for (const wire of encode(name, payload)) publish(wire);
    },
    on: (name, listener) => local.on(name, listener),
  };

  return {
    events,
    instanceId,
    async stop() {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      while (sending || outgoing.length > 0) {
        flush();
        await sending;
      }
      await incoming.catch(() => undefined);
      const client = listener;
      listener = null;
      await Promise.all([client?.end(), publisher.end()]);
    },
  };
}
